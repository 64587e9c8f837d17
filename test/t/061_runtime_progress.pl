# Training progress of live networks: while snn_train(id, ...) runs, another
# session sees its epoch advance and its loss in pg_stat_snn_networks; the
# last values stay after the training ends (or is cancelled).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cfg = '{"kind":"feedforward","inputs":16,"layers":[{"size":8},{"size":4}],"seed":1}';
my $node = PostgreSQL::Test::Cluster->new('progress');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION snn;
	SELECT snn_type_create('ff', '$cfg');
	CREATE TABLE data AS SELECT i, ARRAY(SELECT ((i * 7 + j * 3) % 11) / 10.0
		FROM generate_series(1, 16) j)::float8[] AS f, i % 4 AS label
		FROM generate_series(1, 200) i;
	CREATE TABLE live AS SELECT snn_spawn('ff') AS id;
});
my $id = $node->safe_psql('postgres', 'SELECT id FROM live');
my $row = qq{SELECT state, train_epoch, train_epochs, train_loss FROM pg_stat_snn_networks WHERE id = $id};
is($node->safe_psql('postgres', $row), 'ready|||', 'no progress before any training');

# a short training: the last epoch and its loss stay visible
$node->safe_psql('postgres', qq{SELECT snn_train(id,
	(SELECT array_agg(f ORDER BY i) FROM data), (SELECT array_agg(label ORDER BY i) FROM data),
	'backprop', '{"epochs": 7, "patience": 100, "validation_split": 0}') FROM live});
like($node->safe_psql('postgres', $row), qr/^ready\|7\|7\|\d+(\.\d+)?(e-?\d+)?$/,
	'after a 7-epoch training: epoch 7 of 7 and a loss');

# a long training in one session, watched from another
my $bg = $node->background_psql('postgres');
$bg->query_until(qr/started/, qq{\\echo started
SELECT snn_train(id, (SELECT array_agg(f ORDER BY i) FROM data),
	(SELECT array_agg(label ORDER BY i) FROM data), 'backprop',
	'{"epochs": 100000, "patience": 100000, "validation_split": 0}') FROM live;
});
ok( $node->poll_query_until('postgres', qq{SELECT state = 'training' AND train_epochs = 100000
		AND train_epoch >= 2 AND train_loss >= 0 FROM pg_stat_snn_networks WHERE id = $id}),
	'a second session sees the training under way (epoch of 100000, loss)');
my $e1 = $node->safe_psql('postgres', "SELECT train_epoch FROM pg_stat_snn_networks WHERE id = $id");
ok( $node->poll_query_until('postgres',
		"SELECT train_epoch > $e1 FROM pg_stat_snn_networks WHERE id = $id"),
	"the epoch advances past $e1 while the training runs");

# cancel it: the network is ready again, the progress it reached stays
$node->safe_psql('postgres', q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE query LIKE '%"epochs": 100000%' AND pid <> pg_backend_pid()});
ok( $node->poll_query_until('postgres',
		"SELECT state = 'ready' AND train_epoch > $e1 FROM pg_stat_snn_networks WHERE id = $id"),
	'after a cancel the network is ready and shows the epoch it reached');
# psql stopped on the cancel error (ON_ERROR_STOP); closing it may complain
eval { $bg->quit };

# other roles see no progress of networks they may not see
$node->safe_psql('postgres', 'CREATE ROLE other LOGIN');
is($node->safe_psql('postgres', qq{SET ROLE other; SELECT coalesce(train_epoch::text, 'hidden')
	FROM pg_stat_snn_networks WHERE id = $id}), 'hidden', 'progress is hidden from other roles');

$node->safe_psql('postgres', 'SELECT snn_dispose(id) FROM live');
$node->stop;
done_testing();
