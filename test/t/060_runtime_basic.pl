# The shared-memory runtime: without preload it says which setting is
# missing; with it, types, pools, the worker, lifecycle, transaction
# release, ownership, limits and the monitoring views.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cfg = '{"kind":"feedforward","inputs":16,"layers":[{"size":8},{"size":4}],"seed":1}';

# psql returning (stdout, stderr) and never dying.
sub try_sql
{
	my ($node, $sql, %opts) = @_;
	my ($out, $err) = ('', '');
	$node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		on_error_stop => 1, %opts);
	return ($out, $err);
}

# ---- without shared_preload_libraries
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION snn');
for my $call ("snn_spawn('x')", 'snn_dispose(1)', 'snn_save(1)',
	"snn_type_create('x', '$cfg')", 'snn_stat_reset()')
{
	my ($out, $err) = try_sql($plain, "\\set VERBOSITY verbose\nSELECT $call");
	like($err, qr/55000: the snn runtime needs shared_preload_libraries = 'snn'/,
		"without preload $call names the setting (55000)");
}
my ($o, $e) = try_sql($plain, 'SELECT * FROM pg_stat_snn_pools');
like($e, qr/shared_preload_libraries/, 'views say the runtime is not loaded');
is( $plain->safe_psql('postgres',
		"SELECT (snn_info(snn_create('$cfg'))->>'neurons')::int"),
	'12', 'value-level functions work without preload');
is($plain->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'snn pool worker'"),
	'0', 'no worker without preload');
$plain->stop;

# ---- with shared_preload_libraries
my $node = PostgreSQL::Test::Cluster->new('runtime');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'snn'
snn.worker_naptime = 100ms
snn.acquire_timeout = 200ms
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# the worker shows in pg_stat_activity
my $wpid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'snn pool worker'");
like($wpid, qr/^\d+$/, 'snn pool worker runs and shows in pg_stat_activity');

# a type: the worker fills its pool to pool_min
$node->safe_psql('postgres', "SELECT snn_type_create('small', '$cfg', 3, 5, '1 second')");
ok( $node->poll_query_until('postgres',
		"SELECT ready = 3 AND in_use = 0 AND size = 3 FROM pg_stat_snn_pools WHERE type = 'small'"),
	'worker refills the pool to pool_min');
is($node->safe_psql('postgres', 'SELECT name, pool_min, pool_max, ttl FROM snn_network_types'),
	'small|3|5|00:00:01', 'the type is kept in the table');

# spawn pops a ready network; the worker refills behind it
my $id = $node->safe_psql('postgres', "SELECT snn_spawn('small', 'col 7')");
like($id, qr/^\d+$/, 'snn_spawn returns an id');
is( $node->safe_psql('postgres',
		"SELECT owner, type, tag, state, infer_count FROM pg_stat_snn_networks WHERE id = $id"),
	'postgres|small|col 7|ready|0', 'the network is in the registry');
ok( $node->poll_query_until('postgres',
		"SELECT ready = 3 AND in_use = 1 AND hits = 1 AND gets = 1 FROM pg_stat_snn_pools WHERE type = 'small'"),
	'pool refilled after a spawn');

# the saved image is the type's network
is( $node->safe_psql('postgres',
		"SELECT snn_save($id)::text = snn_create('$cfg')::text"),
	't', 'snn_save returns the template network');

# idle past its ttl: reaped by the worker, the pool slot is free again
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_snn_networks WHERE id = $id"),
	'the worker disposes of a network idle past its ttl');
($o, $e) = try_sql($node, "\\set VERBOSITY verbose\nSELECT snn_save($id)");
like($e, qr/42704: snn network $id does not exist/, 'a reaped network is gone (42704)');
ok( $node->poll_query_until('postgres',
		"SELECT in_use = 0 AND ready = 3 FROM pg_stat_snn_pools WHERE type = 'small'"),
	'reaping returns the slot to the pool');
# redefine without a ttl for the rest of the test (resets its statistics)
$node->safe_psql('postgres', "SELECT snn_type_create('small', '$cfg', 3, 5)");
is($node->safe_psql('postgres', "SELECT ttl IS NULL FROM snn_network_types WHERE name = 'small'"),
	't', 'snn_type_create replaces a type');

# load / save round trip of a value, and dispose
my $lid = $node->safe_psql('postgres', "SELECT snn_spawn(snn_create('$cfg'))");
is($node->safe_psql('postgres', "SELECT snn_save($lid)::text = snn_create('$cfg')::text"),
	't', 'snn_spawn then snn_save gives the value back');
$node->safe_psql('postgres', "SELECT snn_dispose($lid)");
($o, $e) = try_sql($node, "SELECT snn_dispose($lid)");
like($e, qr/does not exist/, 'dispose twice is an error');

# bad input
($o, $e) = try_sql($node, "\\set VERBOSITY verbose\nSELECT snn_spawn('nosuch')");
like($e, qr/42704: snn network type "nosuch" does not exist/, 'unknown type (42704)');
($o, $e) = try_sql($node, "\\set VERBOSITY verbose\nSELECT snn_type_create('bad', '{\"kind\":\"feedforward\"}')");
like($e, qr/22023/, 'an invalid configuration is rejected before anything is kept');
is($node->safe_psql('postgres', "SELECT count(*) FROM snn_network_types WHERE name = 'bad'"),
	'0', 'no row for a rejected type');
($o, $e) = try_sql($node, "SELECT snn_type_create('small', '$cfg', 10, 5)");
like($e, qr/pool_max must be/, 'pool_max below pool_min is rejected');
($o, $e) = try_sql($node, "SELECT snn_spawn('small', repeat('x', 64))");
like($e, qr/tag must be shorter than 64 bytes/, 'a tag over 63 bytes is rejected');
($o, $e) = try_sql($node, "SELECT snn_spawn(NULL::text)");
like($e, qr/must not be null/, 'a null type is rejected');

# ---- transactions: networks spawned by an aborted (sub)transaction are released
my $base = $node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'networks'");
$node->safe_psql('postgres', "BEGIN; SELECT snn_spawn('small') FROM generate_series(1, 2); SELECT snn_spawn(snn_create('$cfg')); ROLLBACK;");
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'),
	'0', 'rollback releases the networks the transaction spawned');
($o, $e) = try_sql($node, "BEGIN; SELECT snn_spawn('small'); SELECT 1/0; COMMIT;");
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'),
	'0', 'an error aborting the transaction releases them too');
$node->safe_psql('postgres', q{
	CREATE TABLE kept (id bigint);
	BEGIN;
	INSERT INTO kept SELECT snn_spawn('small', 'outer');
	SAVEPOINT s;
	INSERT INTO kept SELECT snn_spawn('small', 'inner');
	ROLLBACK TO s;
	SAVEPOINT t;
	INSERT INTO kept SELECT snn_spawn('small', 'inner2');
	RELEASE t;
	COMMIT;
});
is( $node->safe_psql('postgres',
		"SELECT string_agg(tag, ',' ORDER BY tag) FROM pg_stat_snn_networks"),
	'inner2,outer', 'a rolled back savepoint releases only its networks');
$node->safe_psql('postgres', 'SELECT snn_dispose(id) FROM kept; DROP TABLE kept');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'networks'"),
	$base, 'network memory back to its baseline');

# ---- ownership
$node->safe_psql('postgres', q{
	CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN; CREATE ROLE carol LOGIN;
	GRANT alice TO carol;
});
my $aid = $node->safe_psql('postgres', "SELECT snn_spawn(snn_create('$cfg'), 'secret')", extra_params => [ '-U', 'alice' ]);
for my $call ("snn_save($aid)", "snn_dispose($aid)", "snn_infer($aid, ARRAY[1.0]::real[])",
	"snn_train($aid, ARRAY[[1.0]]::real[], ARRAY[1], 'backprop')", "snn_predict($aid, ARRAY[1.0]::real[])")
{
	($o, $e) = try_sql($node, "\\set VERBOSITY verbose\nSELECT $call", extra_params => [ '-U', 'bob' ]);
	like($e, qr/42501: permission denied for snn network $aid/, "another role may not $call (42501)");
}
is( $node->safe_psql('postgres', "SELECT snn_save($aid) IS NOT NULL", extra_params => [ '-U', 'carol' ]),
	't', 'a member of the owner role may use the network');
is( $node->safe_psql('postgres', "SELECT snn_save($aid) IS NOT NULL"),
	't', 'a superuser may use the network');
is( $node->safe_psql('postgres', "SELECT coalesce(tag, '-'), coalesce(state, '-') FROM pg_stat_snn_networks WHERE id = $aid",
		extra_params => [ '-U', 'bob' ]),
	'-|-', 'other roles see no details in pg_stat_snn_networks');
$node->safe_psql('postgres', 'GRANT pg_read_all_stats TO bob');
is( $node->safe_psql('postgres', "SELECT tag FROM pg_stat_snn_networks WHERE id = $aid",
		extra_params => [ '-U', 'bob' ]),
	'secret', 'pg_read_all_stats sees the details');
($o, $e) = try_sql($node, 'SELECT snn_stat_reset()', extra_params => [ '-U', 'bob' ]);
like($e, qr/permission denied for function snn_stat_reset/, 'snn_stat_reset is not for PUBLIC');
($o, $e) = try_sql($node, "SELECT snn_type_create('mine', '$cfg')", extra_params => [ '-U', 'bob' ]);
like($e, qr/permission denied for table snn_network_types/, 'defining a type needs rights on the table');
$node->safe_psql('postgres', "SELECT snn_dispose($aid)", extra_params => [ '-U', 'carol' ]);

# ---- limits
# snn.max_networks: wait, then 53400 with a hint; the counter is back after
$node->append_conf('postgresql.conf', 'snn.max_networks = 2');
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('snn.max_networks') = '2'");
$node->safe_psql('postgres', "CREATE TABLE held (id bigint); INSERT INTO held SELECT snn_spawn('small') FROM generate_series(1,2)");
($o, $e) = try_sql($node, "\\set VERBOSITY verbose\nSELECT snn_spawn('small')");
like($e, qr/53400: snn runtime: networks limit reached, gave up after waiting 200 ms/,
	'over snn.max_networks: 53400 after snn.acquire_timeout');
like($e, qr/HINT:  Raise snn.max_networks/, 'with a hint');
# a waiter gets the network as soon as one is disposed of
my $bg = $node->background_psql('postgres');
$bg->query_safe('SET snn.acquire_timeout = 10000');
$bg->query_until(qr/started/, "\\echo started\nSELECT snn_spawn('small', 'waited');\n");
$node->poll_query_until('postgres', "SELECT waiting = 1 FROM pg_stat_snn_pools WHERE type = 'small'");
$node->safe_psql('postgres', 'SELECT snn_dispose(id) FROM held WHERE id = (SELECT min(id) FROM held)');
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM pg_stat_snn_networks WHERE tag = 'waited'"),
	'a waiter proceeds when a network is disposed of');
$bg->quit;
$node->safe_psql('postgres', 'SELECT snn_dispose(id) FROM pg_stat_snn_networks');
$node->safe_psql('postgres', 'DROP TABLE held');

# pool_max of a type: 53000
$node->append_conf('postgresql.conf', 'snn.max_networks = 10000');
$node->reload;
$node->safe_psql('postgres', "SELECT snn_type_create('tiny', '$cfg', 0, 1)");
$node->safe_psql('postgres', "CREATE TABLE held (id bigint); INSERT INTO held SELECT snn_spawn('tiny')");
($o, $e) = try_sql($node, "\\set VERBOSITY verbose\nSELECT snn_spawn('tiny')");
like($e, qr/53000: snn runtime: pool limit reached/, 'over pool_max: 53000');
is($node->safe_psql('postgres', "SELECT gets, timeouts, errors, in_use FROM pg_stat_snn_pools WHERE type = 'tiny'"),
	'2|1|1|1', 'the timeout is counted');
$node->safe_psql('postgres', 'SELECT snn_dispose(id) FROM held; DROP TABLE held');

# snn.max_memory: 53200, nothing half-built, no leak
my $big = '{"kind":"feedforward","inputs":1000,"layers":[{"size":1000},{"size":10}],"seed":2}';
$node->append_conf('postgresql.conf', 'snn.max_memory = 8MB');
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('snn.max_memory') = '8MB'");
my $before = $node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'networks'");
($o, $e) = try_sql($node, "\\set VERBOSITY verbose\nSELECT snn_spawn(snn_create('$big')) FROM generate_series(1, 100)");
like($e, qr/53200: snn runtime: memory limit reached/, 'over snn.max_memory: 53200');
like($e, qr/HINT:  Raise snn.max_memory/, 'with a hint');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'networks'"),
	$before, 'the failed statement left no network behind');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'), '0', 'registry empty');
$node->append_conf('postgresql.conf', 'snn.max_memory = 256MB');
$node->reload;

# ---- monitoring
$node->safe_psql('postgres', "SELECT snn_dispose(snn_spawn('small')) FROM generate_series(1, 20)");
is( $node->safe_psql('postgres',
		"SELECT phase, count, p50_us > 0, p99_us >= p50_us FROM pg_stat_snn_lifecycle WHERE type = 'small' AND phase IN ('spawn', 'dispose') ORDER BY phase"),
	"dispose|25|t|t\nspawn|29|t|t", 'lifecycle counts and percentiles (29 spawns and 25 disposes since the type was redefined)');
is( $node->safe_psql('postgres',
		"SELECT string_agg(category, ',') FROM pg_stat_snn_memory"),
	'templates,pool,networks,training,detectors,total,limit,high_water', 'memory categories');
is( $node->safe_psql('postgres',
		"SELECT (SELECT bytes FROM pg_stat_snn_memory WHERE category = 'limit') = 256 * 1024 * 1024"),
	't', 'the limit is snn.max_memory');
$node->safe_psql('postgres', 'SELECT snn_stat_reset()');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_snn_lifecycle"), '0', 'snn_stat_reset zeroes the histograms');

# ---- the worker: SIGHUP keeps it, SIGTERM ends it and the postmaster restarts it
$node->append_conf('postgresql.conf', 'snn.worker_naptime = 50ms');
$node->reload;
sleep 1;
is($node->safe_psql('postgres', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'snn pool worker'"),
	$wpid, 'the worker survives SIGHUP');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($wpid)");
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'snn pool worker' AND pid <> $wpid"),
	'the worker is restarted after SIGTERM');

# ---- drop type: the pool goes, the table row goes, live networks stay
my $keep = $node->safe_psql('postgres', "SELECT snn_spawn('small')");
$node->safe_psql('postgres', "SELECT snn_type_drop('small')");
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_snn_pools WHERE type = 'small'"), '0', 'pool dropped');
is($node->safe_psql('postgres', "SELECT count(*) FROM snn_network_types WHERE name = 'small'"), '0', 'row dropped');
is($node->safe_psql('postgres', "SELECT snn_save($keep) IS NOT NULL"), 't', 'a live network survives its type');
$node->safe_psql('postgres', "SELECT snn_dispose($keep)");

# ---- a type defined by a rolled back transaction or savepoint is not kept
$node->safe_psql('postgres', "BEGIN; SELECT snn_type_create('ab', '$cfg', 2, 5); ROLLBACK;");
$node->safe_psql('postgres', "BEGIN; SAVEPOINT s; SELECT snn_type_create('sp', '$cfg', 2, 5); ROLLBACK TO s; "
	. "SAVEPOINT t; SELECT snn_type_create('kept', '$cfg', 1, 5); RELEASE t; COMMIT;");
is($node->safe_psql('postgres', "SELECT string_agg(type, ',' ORDER BY type) FROM pg_stat_snn_pools WHERE type IN ('ab', 'sp', 'kept')"),
	'kept', 'rolled back type definitions leave no pool behind');
is($node->safe_psql('postgres', "SELECT string_agg(name, ',' ORDER BY name) FROM snn_network_types WHERE name IN ('ab', 'sp', 'kept')"),
	'kept', 'nor a row');
$node->safe_psql('postgres', "SELECT snn_type_drop('kept')");

# ---- types survive pg_dump and a restart (loaded again on first spawn)
my $dump = $node->safe_psql('postgres', 'SELECT 1');
my ($stdout, $stderr);
$node->command_ok([ 'pg_dump', '-d', $node->connstr('postgres'), '-f', "$PostgreSQL::Test::Utils::tmp_check/dump.sql" ], 'pg_dump runs');
my $dumped = slurp_file("$PostgreSQL::Test::Utils::tmp_check/dump.sql");
like($dumped, qr/COPY public\.snn_network_types .*\n(?:.*\n)*?tiny\t/, 'pg_dump keeps the network types');
$node->restart;
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_pools'), '0', 'after a restart no type is in memory');
my $t2 = $node->safe_psql('postgres', "SELECT snn_spawn('tiny')");
like($t2, qr/^\d+$/, 'a type is loaded from the table on first spawn after a restart');
ok($t2 > $id, 'ids are not reused across restarts');
is($node->safe_psql('postgres', "SELECT pool_max FROM pg_stat_snn_pools WHERE type = 'tiny'"), '1', 'with its settings');

$node->stop;
done_testing();
