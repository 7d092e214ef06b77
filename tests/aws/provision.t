# Provisioning against the local emulators: scripts/local-aws.sh start
# brings up a private fauxqs + dynalite pair (free ports, own state dir)
# and provisions conf/resources.json; then every resource exists, a
# second `prism-provision up` changes nothing, redrive and raw delivery
# work, drift is converged, concurrent per-route DynamoDB updates lose
# no attribute.  down prints its plan, then deletes only what carries
# the stack's tag: a topic and a queue made outside the stack and
# referenced as existing survive, so does a listed topic it did not
# make; a table waits for --force (exit status 3 when nothing else is
# kept); a bucket whose tags the endpoint cannot report is kept.
use strict;
use warnings;
use FindBin;
use IO::Socket::INET;
use JSON::PP;
use HTTP::Tiny;
use File::Temp ();
use POSIX ();

my $root = "$FindBin::Bin/../..";
my ($fq_port, $ddb_port);

# Returns a port on 127.0.0.1 that is free right now.
sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
        or die "cannot bind: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

BEGIN {
    ($fq_port, $ddb_port) = (free_port(), free_port());
    $ENV{PRISM_AWS_ENDPOINT} = "http://127.0.0.1:$fq_port";
}
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismAwsCli;

my $state = File::Temp->newdir;
$ENV{PRISM_AWS_PORT} = $fq_port;
$ENV{PRISM_DYNAMODB_PORT} = $ddb_port;
$ENV{PRISM_AWS_STATE} = "$state";
$ENV{PRISM_DYNAMODB_ENDPOINT} = "http://127.0.0.1:$ddb_port";
delete $ENV{PRISM_AWS_PERSIST};
my $provision = "$root/build/prism-provision";
my $ddb = "$root/build/prism-ddb";
my $resources = "$root/conf/resources.json";
-x $_ or die "$_ is not built: run make\n" for $provision, $ddb;

# Runs CMD (killed after 60 s); returns (exit status, stdout, stderr).
sub run {
    my @cmd = @_;
    my ($out, $err) = (File::Temp->new, File::Temp->new);
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open STDOUT, '>&', $out or POSIX::_exit(127);
        open STDERR, '>&', $err or POSIX::_exit(127);
        exec @cmd or POSIX::_exit(127);
    }
    my $status = -1;
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm 60;
        waitpid $pid, 0;
        $status = $? >> 8;
        alarm 0;
    };
    if ($@) { kill 'KILL', $pid; waitpid $pid, 0; }
    local $/;
    seek $_, 0, 0 for $out, $err;
    return ($status, scalar <$out> // '', scalar <$err> // '');
}

sub local_aws { run("$root/scripts/local-aws.sh", @_) }
sub prov { run($provision, @_, '-f', $resources) }
sub ddb { run($ddb, @_) }

END { local $?; local_aws('stop') if $state; }

my @roles = qw(thumbnail webp watermark avif);

# --- a fresh start has every resource ---------------------------------------
my $t0 = time;
my ($rc, $out, $err) = local_aws('start');
is $rc, 0, 'local-aws.sh start on private ports' or diag "$out$err";
cmp_ok time - $t0, '<=', 10, 'start (both emulators + provisioning) is quick';
like $out, qr/DynamoDB on 127\.0\.0\.1:$ddb_port/, 'dynalite runs beside fauxqs';
like $out, qr/up: \d+ changes/, 'start provisioned the resources';
# what provisioning found, for configurations and scripts: no account id
# written down anywhere
my %found = map { /^(\w+)='(.*)'$/ ? ($1, $2) : () }
            split /\n/, do { local $/; open my $fh, '<', "$state/resources.env" or die "$state/resources.env: $!"; <$fh> };
is $found{PRISM_ACCOUNT_ID}, account(), 'resources.env: the account STS reports';
is $found{PRISM_TOPIC_ARN_PRISM_UPLOADS}, topic_arn('prism-uploads'), 'resources.env: the topic ARN';
for my $q (map { ("prism-$_", "prism-$_-dlq") } @roles) {
    (my $var = uc "PRISM_QUEUE_URL_$q") =~ s/-/_/g;
    like $found{$var} // '', qr{/\Q${\ account()}\E/\Q$q\E$}, "resources.env: the URL of $q";
}
my (undef, $env) = local_aws('env');
like $env, qr/^export PRISM_QUEUE_URL_PRISM_WEBP='/m, 'env prints the queue URLs';
like $env, qr{PRISM_DYNAMODB_ENDPOINT=http://127\.0\.0\.1:$ddb_port}, 'env prints the DynamoDB endpoint';
{
    die "ss is not installed (iproute2: scripts/deps.sh)\n" unless -x '/usr/bin/ss' || -x '/bin/ss';
    my $listen = `ss -Hltn '( sport = :$fq_port or sport = :$ddb_port )'`;
    unlike $listen, qr/(?:0\.0\.0\.0|\*|\[::\]):(?:$fq_port|$ddb_port)\b/, 'both listen on loopback only';
}

($rc, $out, $err) = prov('show');
is $rc, 0, 'show exits 0' or diag $err;
like $out, qr/^show: 0 pending changes$/m, 'show: nothing pending after a fresh start';
for my $name ('prism-uploads', 'prism-completions', 'prism-ingest', 'prism-derived',
              'prism-images', 'prism-completions-test', map { ("prism-$_", "prism-$_-dlq") } @roles) {
    like $out, qr/^\S+ \Q$name\E: in place/m, "$name exists";
}

# the shipped redrive limit, as conf/resources.json states it
my ($shipped) = map { $_->{dead_letter}{max_receive_count} }
                grep { $_->{name} eq 'prism-webp' }
                @{ decode_json(do { local (@ARGV, $/) = ($resources); <> })->{queues} };
for my $role (@roles) {
    my $attrs = decode_json(cli_ok('sqs', 'attributes', '--queue-url', queue_url("prism-$role")));
    my $redrive = decode_json($attrs->{RedrivePolicy} // '{}');
    is $redrive->{deadLetterTargetArn}, "arn:aws:sqs:us-east-1:" . account() . ":prism-$role-dlq",
        "prism-$role dead-letters to prism-$role-dlq";
    is $redrive->{maxReceiveCount}, $shipped, "prism-$role: maxReceiveCount $shipped";
    like $attrs->{Policy} // '', qr/prism-uploads/, "prism-$role lets the topic send to it";
}
($rc, $out) = ddb('describe', 'prism-images');
is $rc, 0, 'the image table exists';
is decode_json($out)->{status}, 'ACTIVE', 'the image table is ACTIVE' if $rc == 0;

# --- idempotence ---------------------------------------------------------------
($rc, $out, $err) = prov('up');
is $rc, 0, 'second up exits 0' or diag $err;
like $out, qr/^up: no changes, every resource is in place$/m, 'second up changes nothing';
unlike $out, qr/: (?:created|\S+ set to)/, 'second up reports no creation or update';

# --- raw delivery through the topic ----------------------------------------------
my $marker = "provision-$$-" . time;
my $message = qq({"marker":"$marker"});
cli_ok('sns', 'publish', '--topic-arn', topic_arn('prism-uploads'), '--message', $message);
for my $role (@roles) {
    my ($body, $tries) = (undef, 0);
    while (!defined $body && $tries++ < 5) {
        for my $m (json_lines(cli_ok('sqs', 'receive', '--queue-url', queue_url("prism-$role"),
                                     '--wait', 2, '--max', 10, '--delete'))) {
            $body = $m->{body} if $m->{body} =~ /\Q$marker\E/;
        }
    }
    is $body, $message, "prism-$role receives the raw message, no SNS envelope";
}
cli_ok('sns', 'publish', '--topic-arn', topic_arn('prism-completions'),
       '--message', $message);
my @done = json_lines(cli_ok('sqs', 'receive', '--queue-url', queue_url('prism-completions-test'),
                             '--wait', 5, '--max', 10, '--delete'));
is scalar(grep { $_->{body} eq $message } @done), 1, 'the completion topic feeds prism-completions-test';

# --- redrive: after maxReceiveCount receives the message moves to the DLQ -----------
my $poison = "poison-$marker";
cli_ok('sqs', 'send', '--queue-url', queue_url('prism-webp'), '--message', $poison);
my $receives = 0;
for (1 .. $shipped + 3) {
    my @m = grep { $_->{body} eq $poison }
            json_lines(cli_ok('sqs', 'receive', '--queue-url', queue_url('prism-webp'),
                              '--wait', 1, '--visibility', 0));
    $receives += @m;
}
is $receives, $shipped, 'the main queue hands the message out maxReceiveCount times';
my @dead = grep { $_->{body} eq $poison }
           json_lines(cli_ok('sqs', 'receive', '--queue-url', queue_url('prism-webp-dlq'),
                             '--wait', 2, '--delete'));
is scalar @dead, 1, 'then it is in prism-webp-dlq';

# --- drift is reported by show and converged by up -----------------------------------
my $http = HTTP::Tiny->new(timeout => 10);
($rc, undef, $err) = cli('sqs', 'set-attributes', '--queue-url', queue_url('prism-thumbnail'),
                         '--attr', 'VisibilityTimeout=99');
is $rc, 0, 'drift: VisibilityTimeout changed behind provisioning' or diag $err;
($rc, $out) = prov('show');
like $out, qr/queue prism-thumbnail: VisibilityTimeout would be set to 30 \(was 99\)/, 'show reports the drift';
like $out, qr/^show: 1 pending change$/m, 'show counts one pending change';
($rc, $out) = prov('up');
like $out, qr/queue prism-thumbnail: VisibilityTimeout set to 30 \(was 99\)/, 'up converges it';
like $out, qr/^up: 1 change$/m, 'up counts one change';
is decode_json(cli_ok('sqs', 'attributes', '--queue-url', queue_url('prism-thumbnail')))->{VisibilityTimeout},
    30, 'VisibilityTimeout is back to 30';

# --- DynamoDB: concurrent per-route updates lose no attribute -------------------------
my $id = "img-$marker";
my $key = encode_json({ imageId => $id });
($rc, $out, $err) = ddb('update', 'prism-images', '--plain', '--key', $key,
                        '--update', 'SET #r = if_not_exists(#r, :e)', '--names', '{"#r":"routes"}',
                        '--values', '{":e":{}}');
is $rc, 0, 'image record created with an empty route map' or diag $err;
my $per_route = 8;
my @kids;
for my $route (qw(thumbnail webp)) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        my $fails = 0;
        for my $n (1 .. $per_route) {
            my ($st) = ddb('update', 'prism-images', '--plain', '--key', $key,
                           '--update', 'SET #r.#n = :v', '--names',
                           encode_json({ '#r' => 'routes', '#n' => "$route-$n" }),
                           '--values', encode_json({ ':v' => { route => $route, n => $n } }));
            $fails++ if $st != 0;
        }
        POSIX::_exit($fails ? 1 : 0);
    }
    push @kids, $pid;
}
my $kid_failures = 0;
for my $pid (@kids) { waitpid $pid, 0; $kid_failures++ if $? != 0; }
is $kid_failures, 0, 'both routes wrote concurrently without errors';
($rc, $out, $err) = ddb('get', 'prism-images', '--plain', '--consistent', '--key', $key);
is $rc, 0, 'image record read back' or diag $err;
my $routes = $rc == 0 ? decode_json($out)->{routes} : {};
is scalar(keys %$routes), 2 * $per_route, 'every per-route attribute survived';
is_deeply $routes->{"webp-$per_route"}, { route => 'webp', n => $per_route }, 'values intact';
($rc, undef, $err) = ddb('update', 'prism-images', '--plain', '--key', encode_json({ imageId => "missing-$marker" }),
                         '--update', 'SET #r.#n = :v', '--condition', 'attribute_exists(imageId)',
                         '--names', '{"#r":"routes","#n":"webp"}', '--values', '{":v":1}');
is $rc, 1, 'a condition on a missing record fails';
like $err, qr/ConditionalCheckFailedException/, 'with ConditionalCheckFailedException';

# --- down deletes only what carries this stack's tag -----------------------------------
# A topic and a queue made outside any stack (plain requests), another
# topic that a description lists as its own although up never made it,
# and a description that references the first two as existing.
sub sns_call { $http->post_form("http://127.0.0.1:$fq_port/", { Version => '2010-03-31', @_ }) }
sub sqs_call {
    my ($action, $body) = @_;
    return $http->post("http://127.0.0.1:$fq_port/", {
        headers => { 'Content-Type' => 'application/x-amz-json-1.0', 'X-Amz-Target' => "AmazonSQS.$action" },
        content => encode_json($body) });
}
sub topic_exists { sns_call(Action => 'GetTopicAttributes', TopicArn => topic_arn($_[0]))->{success} }
sub queue_exists { sqs_call('GetQueueUrl', { QueueName => $_[0] })->{success} }
# a deleted table is DELETING for a moment (dynalite: 20 ms)
sub table_exists {
    for (1 .. 20) {
        my ($st, $json) = ddb('describe', $_[0]);
        return 0 if $st != 0;
        return 1 if (decode_json($json)->{status} // '') ne 'DELETING';
        select undef, undef, undef, 0.1;    # poll: until the condition holds or the deadline
    }
    return 1;
}
for my $t ('shared-events', 'stray-events') {
    is cli_ok('sns', 'create-topic', '--name', $t), topic_arn($t) . "\n", "topic $t made outside the stack";
}
like cli_ok('sqs', 'create-queue', '--name', 'shared-inbox'), qr{/shared-inbox$},
    'queue shared-inbox made outside the stack';
my $desc = File::Temp->new(SUFFIX => '.json');
print $desc encode_json({
    stack => 'prov-test',
    topics => [ { name => 'shared-events', existing => JSON::PP::true }, { name => 'own-events' },
                { name => 'stray-events' } ],
    queues => [ { name => 'shared-inbox', existing => JSON::PP::true }, { name => 'own-inbox' } ],
    subscriptions => [ { topic => 'own-events', queue => 'shared-inbox' },
                       { topic => 'shared-events', queue => 'own-inbox' } ],
    buckets => [ { name => 'prov-test-media' } ],
    tables => [ { name => 'prov-test-records', hash_key => { name => 'id', type => 'S' } } ],
});
close $desc;
sub sprov { run($provision, @_, '-f', "$desc") }
($rc, $out, $err) = sprov('up');
is $rc, 0, 'up of a description with existing resources' or diag "$out$err";
like $out, qr/^topic shared-events: existing, not managed by this stack/m, 'up leaves the existing topic alone';
like $out, qr/^topic own-events: created/m, 'and creates its own';
cli_ok('s3', 'put', 'prov-test-media', 'keep-me', "$0");

($rc, $out, $err) = sprov('down');
diag $out if $ENV{TEST_VERBOSE};
isnt $rc, 0, 'down without --force exits non-zero: something was kept';
my ($plan) = $out =~ /^(down plan .*?)^(?:topic|queue|subscription|bucket|table) \S.*: deleted$/ms;
ok defined $plan, 'down prints its plan before deleting anything' or diag $out;
$plan //= '';
like $plan, qr/^  keep topic shared-events: referenced as existing/m, 'plan: the existing topic is kept';
like $plan, qr/^  keep queue shared-inbox: referenced as existing/m, 'plan: the existing queue is kept';
like $plan, qr/^  keep topic stray-events: not tagged prism:stack=prov-test/m,
     'plan: a listed topic this stack did not make is kept';
like $plan, qr/^  delete topic own-events$/m, 'plan: the own topic is deleted';
like $plan, qr/^  delete queue own-inbox$/m, 'plan: the own queue is deleted';
like $plan, qr/^  delete subscription shared-events -> own-inbox$/m, 'plan: a subscription feeding an own queue is deleted';
like $plan, qr/^  keep table prov-test-records: .*--force/m, 'plan: the table waits for --force';
like $plan, qr/^  keep bucket prov-test-media: /m, 'plan: the non-empty bucket is kept';
like $out, qr/^down: .*kept/m, 'the summary says what was kept';
ok topic_exists('shared-events'), 'the shared topic still exists';
ok topic_exists('stray-events'), 'the untagged topic still exists';
ok queue_exists('shared-inbox'), 'the shared queue still exists';
ok !topic_exists('own-events'), 'the own topic is gone';
ok !queue_exists('own-inbox'), 'the own queue is gone';
ok table_exists('prov-test-records'), 'the table is still there';

# the same stack's table alone: nothing unsure kept, only what waits for --force
my $tables_only = File::Temp->new(SUFFIX => '.json');
print $tables_only encode_json({ stack => 'prov-test',
    tables => [ { name => 'prov-test-records', hash_key => { name => 'id', type => 'S' } } ] });
close $tables_only;
($rc, $out) = run($provision, 'down', '-f', "$tables_only");
is $rc, 3, 'down exits 3 when it kept only what waits for --force' or diag $out;
like $out, qr/^down: 0 deletions, 1 kept \(1 waiting for --force, 0 not shown/m, 'and says so';

($rc, $out, $err) = sprov('down', '--force');
like $out, qr/^table prov-test-records: deleted$/m, 'down --force deletes the table' or diag $out;
ok !table_exists('prov-test-records'), 'the table is gone';
ok topic_exists('shared-events') && queue_exists('shared-inbox'), 'the shared topic and queue survive --force too';

# --- a subscription's filter policy from the types a plugin accepts -------------------
# png_only declares image/png: the subscription gets {"content_type":["image/png"]},
# so its queue receives the PNG upload's event and never the JPEG's.
my $png_only = "$root/build/test-plugins/png_only.so";
my $fdesc = File::Temp->new(SUFFIX => '.json');
print $fdesc encode_json({ stack => 'prov-filter',
    topics => [ { name => 'filter-events' } ], queues => [ { name => 'filter-png' } ],
    subscriptions => [ { topic => 'filter-events', queue => 'filter-png',
                         raw_message_delivery => JSON::PP::true, filter_from_plugin => $png_only } ] });
close $fdesc;
{
    die "$png_only is not built (make test-build)\n" unless -f $png_only;
    ($rc, $out, $err) = run($provision, 'up', '-f', "$fdesc");
    is $rc, 0, 'up with filter_from_plugin' or diag "$out$err";
    my $topic_arn = 'arn:aws:sns:us-east-1:' . account() . ':filter-events';
    my ($sub_arn) = sns_call(Action => 'ListSubscriptionsByTopic', TopicArn => $topic_arn)->{content}
        =~ m{<SubscriptionArn>([^<]+)</SubscriptionArn>};
    my $attrs = $sub_arn ? sns_call(Action => 'GetSubscriptionAttributes',
                                    SubscriptionArn => $sub_arn)->{content} : '';
    my ($fp) = $attrs =~ m{<key>FilterPolicy</key>\s*<value>([^<]*)</value>};
    $fp //= '{}';
    $fp =~ s/&quot;/"/g;
    is_deeply decode_json($fp), { content_type => ['image/png'] },
        'the filter policy is the plugin\'s accepted types on content_type';
    ($rc, $out) = run($provision, 'up', '-f', "$fdesc");
    like $out, qr/^up: no changes, every resource is in place$/m, 'a second up changes nothing';
    for my $type ('image/jpeg', 'image/png') {
        cli_ok('sns', 'publish', '--topic-arn', $topic_arn, '--message', "event of a $type",
               '--attr', "content_type=String:$type");
    }
    my @got = map { $_->{body} }
              json_lines(cli_ok('sqs', 'receive', '--queue-url', queue_url('filter-png'),
                                '--wait', 2, '--max', 10));
    is_deeply \@got, ['event of a image/png'], 'the queue receives only the type the plugin reads';

    my $bad = File::Temp->new(SUFFIX => '.json');
    print $bad encode_json({ stack => 'prov-filter', topics => [ { name => 'filter-events' } ],
        queues => [ { name => 'filter-png' } ],
        subscriptions => [ { topic => 'filter-events', queue => 'filter-png',
                             filter_from_plugin => "$root/build/test-plugins/old_abi.so" } ] });
    close $bad;
    ($rc, $out, $err) = run($provision, 'show', '-f', "$bad");
    is $rc, 1, 'a plugin that does not load: exit 1';
    like $err, qr/subscriptions\[0\]\.filter_from_plugin: .*plugin ABI version 1, this prism-host speaks version 2/,
        'and the subscription and the reason are named';
    ($rc, $out) = run($provision, 'down', '-f', "$fdesc");
    is $rc, 0, 'down removes the filtered subscription, topic and queue' or diag $out;
}

# --- down of the shipped stack (tagged prism:stack=prism by local-aws.sh's up) ---------------
my $tmp = File::Temp->new;
print $tmp "x";
close $tmp;
cli_ok('s3', 'put', 'prism-ingest', "provision-test/$marker", "$tmp");
($rc, $out) = prov('down', '--force');
like $out, qr/^topic prism-uploads: deleted$/m, 'down --force deletes the stack\'s topics';
like $out, qr/^queue prism-webp-dlq: deleted$/m, 'and queues';
like $out, qr/^table prism-images: deleted$/m, 'and, with --force, its table';
# fauxqs does not implement bucket tagging (PutBucketTagging answers as
# CreateBucket, GetBucketTagging as ListObjects): ownership cannot be
# shown, so the buckets are kept and the exit status says so.
like $out, qr/^  keep bucket prism-ingest: .*bucket tags/m, 'a bucket whose tags the endpoint cannot report is kept';
is $rc, 1, 'down exits 1 when it kept something it could not show to be its own';
my $conf = decode_json(do { local (@ARGV, $/) = ($resources); <> });
my $gone = 0;
$gone += @{ $conf->{$_} || [] } for qw(topics queues subscriptions tables);
ok !table_exists('prism-images'), 'the stack\'s table is gone (not DELETING any more)';
($rc, $out) = prov('show');
like $out, qr/^show: $gone pending changes$/m, "after down all $gone topics, queues, subscriptions and tables are missing";

($rc, $out) = local_aws('stop');
like $out, qr/fauxqs stopped.*dynalite stopped/s, 'stop stops both emulators';
ok !IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ddb_port", Timeout => 1), 'DynamoDB port closed';

done_testing;
