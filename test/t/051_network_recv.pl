# snn binary receive under hostile COPY BINARY data: a valid network image
# is truncated, extended and corrupted (random byte flips anywhere, and
# targeted ones in the header, the layers and the synapse tables).  Every
# value is either rejected with 22P03 (invalid_binary_representation) or
# accepted, and an accepted one simulates and reads back identically; the
# server survives all of it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('netrecv');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');
$node->safe_psql('postgres', 'CREATE TABLE r (id int, net snn)');
my $dir = PostgreSQL::Test::Utils::tempdir;

# a small network of every feature: two layers, Izhikevich output, WTA
my $config = '{"kind": "feedforward", "inputs": 3, "seed": 4, "layers": [{"size": 5}, '
  . '{"size": 3, "neuron": {"model": "izhikevich", "preset": "fast_spiking"}}], "wta": true}';
my $hex = $node->safe_psql('postgres',
	"SELECT encode(snn_network_send(snn_create('$config')), 'hex')");
my $image = pack('H*', $hex);
cmp_ok(length($image), '>', 1024, 'the image is longer than its header');

# A COPY BINARY file with one row (id, value).
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

# Load every value in one session; returns stderr.
sub load
{
	my @values = @_;
	my $sql = "TRUNCATE r;\n";
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

# the untouched image loads and reads back byte for byte
load($image);
is($node->safe_psql('postgres', 'SELECT encode(snn_network_send(net), \'hex\') FROM r'),
	$hex, 'a valid image round-trips');

# named hostile values
my @named = (
	[ 'empty', '' ],
	[ 'header only', substr($image, 0, 1024) ],
	[ 'one byte short', substr($image, 0, length($image) - 1) ],
	[ 'one byte more', $image . "\0" ],
	[ 'bad magic', "XXXX" . substr($image, 4) ],
	[ 'version 2', substr($image, 0, 4) . pack('v', 2) . substr($image, 6) ],
);
for my $c (@named)
{
	my $err = load($c->[1]);
	like($err, qr/invalid binary snn/, "$c->[0]: rejected");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM r'), '0', "$c->[0]: nothing stored");
}

# random corruption: 1 to 4 byte flips anywhere, many values
srand(20261122);
my @values;
for my $i (1 .. 300)
{
	my $v = $image;
	for (1 .. 1 + int(rand(4)))
	{
		my $off = $i <= 100 ? int(rand(1024)) : int(rand(length($v)));
		substr($v, $off, 1) = chr(ord(substr($v, $off, 1)) ^ (1 << int(rand(8))));
	}
	push @values, $v;
}
my $err = load(@values);
my $rejected = () = $err =~ /invalid binary snn/g;
my $other = join "\n", grep { /ERROR/ && !/invalid binary snn/ } split /\n/, $err;
is($other, '', 'every rejection is an invalid binary snn error');
my $accepted = $node->safe_psql('postgres', 'SELECT count(*) FROM r');
is($accepted + $rejected, 300, "each corrupted value accepted or rejected ($accepted accepted)");
cmp_ok($rejected, '>', 150, 'most corruptions are caught');

# what was accepted is a working network that reads back identically
is( $node->safe_psql(
		'postgres', q{
	SELECT count(*) FROM r
	WHERE spiketrain_neurons(snn_simulate(net, '{neurons:3,steps:50,events:[0@1,1@2,2@3]}')) = 8
	  AND net::text::snn::text = net::text}), $accepted,
	'accepted values simulate and round-trip through text');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server alive');

$node->stop;
done_testing();
