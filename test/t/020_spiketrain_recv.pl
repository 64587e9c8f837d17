# spiketrain binary receive under hostile COPY BINARY data: every malformed
# value fails with 22P03 (invalid_binary_representation) and a message that
# says what is wrong, the server survives, and whatever is accepted is
# canonical: it sends back the very bytes it was read from.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('recv');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');
$node->safe_psql('postgres', 'CREATE TABLE r (id int, t spiketrain)');
my $dir = PostgreSQL::Test::Utils::tempdir;

# A COPY BINARY file with one row (id, value); value undef is SQL NULL.
sub copy_file
{
	my ($path, $id, $value) = @_;
	my $data = "PGCOPY\n\377\r\n\0" . pack('NN', 0, 0);
	$data .= pack('n', 2) . pack('N', 4) . pack('N', $id);
	$data .= pack('N', length($value)) . $value;
	$data .= pack('n', 0xffff);
	open(my $fh, '>:raw', $path) or die "open $path: $!";
	print $fh $data;
	close $fh;
	chmod 0644, $path;
}

# The binary form of a train: version, neurons, steps, count, events.
sub train
{
	my ($version, $neurons, $steps, $count, @events) = @_;
	return pack('C', $version) . pack('NNN', $neurons, $steps, $count)
	  . join('', map { pack('NN', @$_) } @events);
}

# Load each value in one session; return (stderr, ids accepted).
sub load
{
	my @values = @_;
	my $sql = "\\set VERBOSITY verbose\nTRUNCATE r;\n";
	for my $i (0 .. $#values)
	{
		my $path = "$dir/v$i.bin";
		copy_file($path, $i, $values[$i]);
		$sql .= "COPY r FROM '$path' WITH (FORMAT binary);\n";
	}
	my ($out, $err) = ('', '');
	$node->psql('postgres', $sql, stdout => \$out, stderr => \$err, on_error_stop => 0);
	return $err;
}

# named hostile values and the message each must give
my @cases = (
	[ 'empty value', '', qr/too short/ ],
	[ 'header cut short', pack('CN', 1, 4), qr/too short/ ],
	[ 'version 0', train(0, 4, 20, 0), qr/unsupported spiketrain binary format version 0/ ],
	[ 'version 2', train(2, 4, 20, 0), qr/version 2/ ],
	[ 'zero neurons', train(1, 0, 20, 0), qr/neurons 0 is outside/ ],
	[ 'too many neurons', train(1, 1000001, 20, 0), qr/neurons 1000001 is outside/ ],
	[ 'zero steps', train(1, 4, 0, 0), qr/steps 0 is outside/ ],
	[ 'too many steps', train(1, 4, 4294967295, 0), qr/steps 4294967295 is outside/ ],
	[ 'event count over the limit', train(1, 4, 20, 50000001), qr/more than the limit/ ],
	[ 'event count 2^32-1', train(1, 4, 20, 4294967295), qr/more than the limit/ ],
	[ 'fewer events than counted', train(1, 4, 20, 2, [ 0, 1 ]), qr/expected 16 for 2 events/ ],
	[ 'more events than counted', train(1, 4, 20, 1, [ 0, 1 ], [ 1, 1 ]), qr/expected 8 for 1 events/ ],
	[ 'half an event', train(1, 4, 20, 1) . pack('N', 0), qr/expected 8/ ],
	[ 'unsorted steps', train(1, 4, 20, 2, [ 5, 1 ], [ 3, 1 ]), qr/event 1 .* is not after/ ],
	[ 'unsorted neurons', train(1, 4, 20, 2, [ 5, 2 ], [ 5, 1 ]), qr/event 1 .* is not after/ ],
	[ 'duplicate event', train(1, 4, 20, 2, [ 5, 2 ], [ 5, 2 ]), qr/event 1 .* is not after/ ],
	[ 'neuron out of range', train(1, 4, 20, 1, [ 5, 4 ]), qr/neuron 4, outside 0..3/ ],
	[ 'step out of range', train(1, 4, 20, 1, [ 20, 0 ]), qr/step 20, outside 0..19/ ],
	[ 'neuron 2^32-1', train(1, 4, 20, 1, [ 0, 4294967295 ]), qr/outside 0..3/ ],);

my $err = load(map { $_->[1] } @cases);
my @errors = ($err =~ /^[^\n]*ERROR:[^\n]*$/mg);
is(scalar(@errors), scalar(@cases), 'every hostile value is rejected');
for my $i (0 .. $#cases)
{
	my $e = $errors[$i] // '';
	like($e, qr/ERROR:  22P03: /, "$cases[$i][0]: SQLSTATE 22P03");
	like($e, $cases[$i][2], "$cases[$i][0]: message");
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM r'), '0', 'nothing was loaded');

# valid values load and send back the same bytes
my @good = (
	train(1, 1, 1, 0),
	train(1, 4, 20, 3, [ 0, 1 ], [ 0, 3 ], [ 7, 0 ]),
	train(1, 1000000, 10000000, 2, [ 0, 0 ], [ 9999999, 999999 ]),);
$err = load(@good);
is($err, '', 'valid values load without error');
my $hex = $node->safe_psql('postgres',
	"SELECT string_agg(encode(spiketrain_send(t), 'hex'), ' ' ORDER BY id) FROM r");
is($hex, join(' ', map { unpack('H*', $_) } @good), 'valid values send back their bytes');
is( $node->safe_psql('postgres', "SELECT t FROM r WHERE id = 1"),
	'{neurons:4,steps:20,events:[1@0,3@0,0@7]}',
	'binary and text forms agree');

# random values: pure noise, and well-framed values with random fields;
# each is either rejected with 22P03 or accepted and canonical
srand(20261122);
my @random;
for my $i (1 .. 300)
{
	if ($i % 3 == 0)
	{
		push @random, join('', map { chr(int(rand(256))) } 1 .. int(rand(64)));
		next;
	}
	my @pick = (0, 1, 2, 3, 4, 19, 20, 255, 1000000, 4294967295);
	my $neurons = $pick[ int(rand(@pick)) ];
	my $steps = $pick[ int(rand(@pick)) ];
	my $n = int(rand(5));
	my @ev = map { [ int(rand(25)), int(rand(6)) ] } 1 .. $n;
	@ev = sort { $a->[0] <=> $b->[0] || $a->[1] <=> $b->[1] } @ev if rand() < 0.6;
	my $count = rand() < 0.8 ? $n : int(rand(8));
	push @random, train(rand() < 0.9 ? 1 : int(rand(4)), $neurons, $steps, $count, @ev);
}
$err = load(@random);
my @rerrors = ($err =~ /^[^\n]*ERROR:[^\n]*$/mg);
my @bad_state = grep { !/ERROR:  22P03: / } @rerrors;
is(scalar(@bad_state), 0, 'random values fail only with 22P03')
  or diag(join("\n", @bad_state[ 0 .. 4 ]));
my $accepted = $node->safe_psql('postgres', 'SELECT count(*) FROM r');
is($accepted + scalar(@rerrors), scalar(@random), 'each random value was accepted or rejected');
ok($accepted > 10 && scalar(@rerrors) > 100, "both outcomes occur ($accepted accepted)");
my @sent = split /\n/, $node->safe_psql('postgres',
	"SELECT id || ' ' || encode(spiketrain_send(t), 'hex') FROM r ORDER BY id");
my $canonical = grep { my ($id, $h) = split / /; $h eq unpack('H*', $random[$id]) } @sent;
is($canonical, scalar(@sent), 'accepted random values are canonical');
is($node->safe_psql('postgres',
		'SELECT count(*) FROM r WHERE t::text::spiketrain <> t'), '0',
	'accepted random values round-trip through text');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server alive');

$node->stop;
done_testing();
