# Hostile binary input for spikes: COPY ... (FORMAT binary) files whose
# spikes field holds crafted and random payloads, so that every byte goes
# through spikes_recv.  The server must survive, each bad payload must fail
# with a clean error of the right SQLSTATE, each valid one must load and
# come back out of COPY TO byte for byte, and the text form must match an
# independent formatter written here.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('spikes_hostile');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');
$node->safe_psql(
	'postgres', q{
	CREATE TABLE t_any (id int, p spikes);
	CREATE TABLE t4 (id int, p spikes(4));
	CREATE TABLE cases (id int, path text, tbl text);
	CREATE TABLE outcome (id int, state text, msg text);
});

my $dir = $node->basedir . '/copy';
mkdir $dir or die "mkdir $dir: $!";

# A COPY BINARY file with one row (id int4, p spikes); undef p is NULL.
sub copy_file
{
	my ($path, $id, $payload) = @_;
	my $data = "PGCOPY\n\377\r\n\0" . pack('NN', 0, 0);
	$data .= pack('n', 2) . pack('N', 4) . pack('N', $id);
	$data .=
	  defined $payload
	  ? pack('N', length $payload) . $payload
	  : pack('N', 0xFFFFFFFF);
	$data .= pack('n', 0xFFFF);
	open my $fh, '>:raw', $path or die "open $path: $!";
	print $fh $data;
	close $fh;
	return;
}

# The documented binary form: version 1, uint16 neuron count, the bytes.
sub payload { my @t = @_; return pack('CnC*', 1, scalar @t, @t); }

# What spikes_recv must decide for a payload: undef when valid, else SQLSTATE.
sub oracle
{
	my ($p, $typmod) = @_;
	return '22P03' if length $p < 3;
	my ($ver, $dim) = unpack('Cn', $p);
	return '22P03' if $ver != 1 || $dim < 1 || length($p) - 3 != $dim;
	return '22000' if defined $typmod && $dim != $typmod;
	return undef;
}

# Independent text formatter: "_" for 255, the step otherwise.
sub as_text
{
	my ($p) = @_;
	my @t = unpack('C*', substr($p, 3));
	return '[' . join(',', map { $_ == 255 ? '_' : $_ } @t) . ']';
}

srand(20261122);
my @cases;    # [table, payload, label]

# crafted payloads
push @cases,
  [ 't_any', payload(0, 3, 255, 12), 'valid 4 neurons' ],
  [ 't_any', payload(255), 'valid one silent neuron' ],
  [ 't_any', payload(254), 'valid one late neuron' ],
  [ 't_any', payload((255) x 65535), 'valid at the dimension limit' ],
  [ 't_any', payload(map { $_ % 256 } 0 .. 999), 'valid every byte value' ],
  [ 't_any', '', 'empty payload' ],
  [ 't_any', "\1", 'version only' ],
  [ 't_any', "\1\0", 'truncated count' ],
  [ 't_any', "\1\0\0", 'zero neurons' ],
  [ 't_any', "\0\0\1\7", 'version 0' ],
  [ 't_any', "\2\0\1\7", 'version 2' ],
  [ 't_any', "\377\0\1\7", 'version 255' ],
  [ 't_any', "\1\0\2\7", 'count over the bytes' ],
  [ 't_any', "\1\0\1\7\7", 'count under the bytes' ],
  [ 't_any', "\1\377\377\7", 'huge count, one byte' ],
  [ 't_any', "\1\0\4" . "\0" x 3, 'one byte short' ],
  [ 't_any', "[0,3,_,12]", 'text where binary belongs' ],
  [ 't4', payload(1, 2, 3, 4), 'typmod 4, 4 neurons' ],
  [ 't4', payload(1, 2, 3), 'typmod 4, 3 neurons' ],
  [ 't4', payload(1 .. 5), 'typmod 4, 5 neurons' ];

# random payloads: well-formed ones, ones with a damaged header, and noise
for my $i (1 .. 300)
{
	my $kind = $i % 3;
	my $p;
	if ($kind == 0)
	{
		$p = payload(map { int(rand(256)) } 1 .. 1 + int(rand(300)));
	}
	elsif ($kind == 1)
	{
		$p = payload(map { int(rand(256)) } 1 .. 1 + int(rand(40)));
		my $pos = int(rand(3));
		substr($p, $pos, 1) = chr(int(rand(256)));
		$p = substr($p, 0, int(rand(length $p))) if rand() < 0.3;
		$p .= chr(int(rand(256))) x int(rand(3)) if rand() < 0.3;
	}
	else
	{
		$p = join('', map { chr(int(rand(256))) } 1 .. int(rand(12)));
	}
	push @cases, [ ($i % 10 == 0 ? 't4' : 't_any'), $p, "random $i" ];
}

my @values;
for my $id (1 .. @cases)
{
	my $path = "$dir/case$id.copy";
	copy_file($path, $id, $cases[ $id - 1 ][1]);
	push @values, "($id, '$path', '$cases[$id - 1][0]')";
}
$node->safe_psql('postgres', 'INSERT INTO cases VALUES ' . join(',', @values));

# Load every file in one session; each COPY fails or succeeds on its own.
$node->safe_psql(
	'postgres', q{
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM cases ORDER BY id LOOP
		BEGIN
			EXECUTE format('COPY %I FROM %L (FORMAT binary)', r.tbl, r.path);
			INSERT INTO outcome VALUES (r.id, 'ok', NULL);
		EXCEPTION WHEN others THEN
			INSERT INTO outcome VALUES (r.id, SQLSTATE, SQLERRM);
		END;
	END LOOP;
END
$$;
});

my %got;
for my $line (
	split /\n/,
	$node->safe_psql(
		'postgres', q{
	SELECT o.id, o.state, coalesce(o.msg, ''), coalesce(a.p::text, b.p::text, '')
	FROM outcome o LEFT JOIN t_any a USING (id) LEFT JOIN t4 b USING (id)
	ORDER BY o.id}))
{
	my ($id, $state, $msg, $text) = split /\|/, $line, 4;
	$got{$id} = [ $state, $msg, $text ];
}

my ($n_ok, $n_err, $bad) = (0, 0, 0);
for my $id (1 .. @cases)
{
	my ($tbl, $p, $label) = @{ $cases[ $id - 1 ] };
	my $want = oracle($p, $tbl eq 't4' ? 4 : undef);
	my $g = $got{$id};
	my $ok;
	if (!defined $g)
	{
		$ok = 0;
	}
	elsif (defined $want)
	{
		$ok = $g->[0] eq $want && $g->[1] =~ /^(spikes binary|unsupported spikes|expected 4 neurons)/;
		$n_err++;
	}
	else
	{
		$ok = $g->[0] eq 'ok' && $g->[2] eq as_text($p);
		$n_ok++;
	}
	if (!$ok)
	{
		$bad++;
		diag(   "case $id ($label): want "
			  . ($want // 'ok')
			  . ", got "
			  . join(' | ', map { substr($_ // '', 0, 80) } @{ $g // [] }));
	}
	# name the crafted cases one by one
	ok($ok, "binary case $id: $label") if $label !~ /^random/;
}
is($bad, 0, "all " . scalar(@cases) . " payloads decided as the oracle says ($n_ok valid, $n_err refused)");
cmp_ok($n_ok,  '>', 50,  'enough payloads were valid');
cmp_ok($n_err, '>', 100, 'enough payloads were refused');

# valid values come back out of COPY TO byte for byte
my $out = "$dir/out.copy";
$node->safe_psql('postgres',
	"COPY (SELECT id, p FROM t_any UNION ALL SELECT id, p FROM t4 ORDER BY id) TO '$out' (FORMAT binary)");
open my $fh, '<:raw', $out or die "open $out: $!";
my $data = do { local $/; <$fh> };
close $fh;
my $pos = 19;
my ($rows, $same) = (0, 0);
while (1)
{
	my $nf = unpack('n', substr($data, $pos, 2));
	$pos += 2;
	last if $nf == 0xFFFF;
	my $id = unpack('N', substr($data, $pos + 4, 4));
	$pos += 8;
	my $len = unpack('N', substr($data, $pos, 4));
	my $p = substr($data, $pos + 4, $len);
	$pos += 4 + $len;
	$rows++;
	$same++ if $p eq $cases[ $id - 1 ][1];
}
is($rows, $n_ok, 'COPY TO wrote every loaded row');
is($same, $rows, 'every payload came back byte for byte');

# the server survived all of it, with no crash in its log
is($node->safe_psql('postgres', "SELECT '[0,3,_,12]'::spikes"), '[0,3,_,12]', 'server alive');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/, 'no backend crashed');

$node->stop;
done_testing();
