# The outbox (prism_outbox): while SNS is unavailable an upload's event is
# journaled in a spool directory and the upload still succeeds (201 with
# "notification":"queued", the original stays stored); the workers replay
# the journal once SNS answers, each entry exactly once, across restarts,
# reloads and several workers.  Permanent SNS errors are not journaled, and
# an entry SNS refuses at replay time (or too old) is moved to failed/.
# The uploads' intents live in the same spool: removed before the answer,
# and those left by dead workers resolved by the replay past their grace.
#
# Blocks run in order: a block that journals is followed by the block
# that replays its spool with a configuration whose SNS works.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;
use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempdir);
use Fcntl qw(:flock);
use JSON::PP qw(decode_json encode_json);
use Time::HiRes qw(sleep time);

master_on();
workers(2);
no_shuffle();

# the spool directories (one per scenario, created by nginx) live here
$ENV{TEST_NGINX_OUTBOX} = tempdir(CLEANUP => 1);

our %Ids;        # scenario => image ids whose events were journaled
our %Got;        # scenario => what the block's init observed
our %Etag;       # image id => the eTag of its last event drained
our $Owned;      # an intent this process holds locked

# a queue of this suite's own: suites running at the same time purge and
# receive from the shared one
my $QueueUrl = subscribe_queue('prism-nginx-outbox-tests');

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

sub spool { "$ENV{TEST_NGINX_OUTBOX}/$_[0]" }

# The entries (IMAGE_ID.json) of a spool directory, or of its failed/.
sub entries {
    my ($dir) = @_;
    my @names;
    if (opendir my $dh, $dir) {
        @names = sort grep { /^[^.].*\.json$/ } readdir $dh;
    }
    return @names;
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    return <$fh>;
}

# The intents (NAME.intent) of a spool directory.
sub intents {
    my ($dir) = @_;
    opendir my $dh, $dir or return ();
    return sort grep { /^[^.].*\.intent$/ } readdir $dh;
}

# Writes NAME.intent in DIR as a worker would before storing KEY for
# image ID (ngx_http_prism_outbox_encode), resolvable since a second ago;
# %more overrides fields.  Its event is the least the replay needs.
sub write_intent {
    my ($dir, $name, $id, $key, %more) = @_;
    my $event = encode_json({ Records => [{ s3 => { object => { key => $key, eTag => '' } } }],
                              prism => { imageId => $id, key => $key } });
    my $intent = { version => 1, topicArn => $Topic, message => $event, attributes => [],
                   imageId => $id, key => $key, requestId => '0' x 32, journaledAt => int(time),
                   bucket => $Bucket, size => 1, sha256 => '0' x 64, resolveAfter => int(time) - 1,
                   %more };
    # written under another name and renamed, as nginx writes its own: a
    # worker scanning the spool meanwhile sees the whole entry or none
    open my $fh, '>', "$dir/.$name.tmp" or die "$dir/.$name.tmp: $!";
    print $fh encode_json($intent), "\n";
    close $fh or die "$dir/.$name.tmp: $!";
    rename "$dir/.$name.tmp", "$dir/$name.intent" or die "$dir/$name.intent: $!";
}

# Polls $cond every 0.1 s for up to $timeout seconds; returns its last value.
sub wait_for {
    my ($cond, $timeout) = @_;
    my $end = time + $timeout;
    until ($cond->()) {
        return 0 if time > $end;
        sleep 0.1;    # poll: until the condition holds or the deadline
    }
    return 1;
}

sub error_log_has {
    my ($text) = @_;
    my $log = slurp($Test::Nginx::Util::ErrLogFile) // '';
    return index($log, $text) >= 0;
}

# Receives (and deletes) every event waiting in the suite's queue until
# two receives in a row come back empty.  Returns image id => count.
sub drain_events {
    my %count;
    my $empty = 0;
    for my $round (1 .. 60) {
        last if $empty >= 2;
        my ($rc, $out) = PrismTest::aws('sqs', 'receive', '--queue-url', $QueueUrl,
                                        '--wait', 1, '--max', 10, '--visibility', 30);
        my @lines = grep { /\S/ } split /\n/, $out;
        $empty = @lines ? 0 : $empty + 1;
        for my $line (@lines) {
            my $msg = eval { decode_json($line) } or next;
            my $body = eval { decode_json($msg->{body}) };
            next unless $body;
            $count{$body->{prism}{imageId} // ''}++;
            $Etag{$body->{prism}{imageId} // ''} = $body->{Records}[0]{s3}{object}{eTag};
            PrismTest::aws('sqs', 'delete', '--queue-url', $QueueUrl,
                           '--receipt-handle', $msg->{receipt_handle});
        }
    }
    return \%count;
}

# Uploads IMAGE from a child process; returns the decoded 201 answer, or
# a string saying what came back instead.
sub upload_queued {
    my ($image) = @_;
    my $up = PrismTest::start_upload(Test::Nginx::Util::server_port(),
        PrismTest::upload_request(POST => '/upload', PrismTest::image($image)));
    my ($status, $body) = PrismTest::upload_result($up, 30);
    return "no answer" unless defined $status;
    return "status $status: $body" unless $status == 201;
    my $res = eval { decode_json($body) } or return "not JSON: $body";
    return $res;
}

sub master_pid {
    my $pid = slurp($Test::Nginx::Util::PidFile) // '';
    chomp $pid;
    return $pid;
}

# The pids of the master's worker processes.
sub workers_of {
    my ($master) = @_;
    my @pids;
    for my $status (glob '/proc/[0-9]*/status') {
        my $text = slurp($status) // next;
        my ($ppid) = $text =~ /^PPid:\s+(\d+)/m;
        push @pids, $status =~ m{/proc/(\d+)/} if ($ppid // 0) == $master;
    }
    return @pids;
}

# The 201 answer of an upload whose event was journaled: the answer, the
# stored original, the entry's file and its content.
sub check_queued {
    my ($name, $body, $want) = @_;
    my $res = eval { decode_json($body) };
    ok($res && $res->{imageId}, "$name - the answer describes the upload") or return;
    is($res->{notification}, 'queued', "$name - notification queued");
    ok(!exists $res->{messageId}, "$name - no message id");
    is($res->{sha256}, sha256_hex(PrismTest::image($want->{image})),
       "$name - sha256 of the upload");
    my $stored = s3_object($res->{bucket}, $res->{key});
    ok(defined $stored && $stored eq PrismTest::image($want->{image}),
       "$name - the original stays stored");

    my $dir = spool($want->{spool});
    my @entries = entries($dir);
    is("@entries", "$res->{imageId}.json", "$name - one journal entry, named after the image id");
    opendir(my $dh, $dir);
    is(scalar(grep { /\.tmp$/ } readdir($dh // return)), 0, "$name - no temporary file is left");
    my $entry = eval { decode_json(slurp("$dir/$res->{imageId}.json")) } // {};
    is($entry->{topicArn}, $Topic, "$name - entry: topic ARN");
    is($entry->{key}, $res->{key}, "$name - entry: key");
    like($entry->{requestId} // '', qr/^[0-9a-f]{32}$/, "$name - entry: request id");
    my $event = eval { decode_json($entry->{message} // '') } // {};
    is($event->{prism}{imageId}, $res->{imageId}, "$name - entry: the event's image id");
    is($event->{prism}{requestId}, $entry->{requestId}, "$name - entry: the event's request id");
    is($event->{Records}[0]{s3}{object}{key}, $res->{key}, "$name - entry: the S3 record");
    my %attrs = map { $_->{name} => $_->{value} } @{ $entry->{attributes} // [] };
    is($attrs{content_type}, $res->{contentType}, "$name - entry: content_type attribute");
    is($attrs{request_id}, $entry->{requestId}, "$name - entry: request_id attribute");
    is($attrs{size}, $res->{size}, "$name - entry: size attribute");
    is(drain_events()->{$res->{imageId}}, undef, "$name - nothing was published");
    push @{ $Ids{$want->{spool}} }, $res->{imageId};
}

# After a replay: the spool is empty, and every event journaled in it
# arrived exactly once.
sub check_replayed {
    my ($name, $want) = @_;
    my $dir = spool($want->{spool});
    my $ids = $Ids{$want->{spool}} // [];
    is(scalar @$ids, $want->{count}, "$name - $want->{count} events were journaled before");
    ok(wait_for(sub { !entries($dir) }, 20), "$name - the spool is empty");
    is(scalar(entries("$dir/failed")), 0, "$name - nothing was given up");
    my $count = drain_events();
    my @wrong = grep { ($count->{$_} // 0) != 1 } @$ids;
    is("@wrong", '', "$name - every journaled event arrived exactly once")
        or diag(join ', ', "received: " . join(' ', %$count), map { "$_: " . ($count->{$_} // 0) } @wrong);
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    if (defined(my $want = $block->queued)) {
        check_queued($name, $body, $want);
    }
    if (defined(my $want = $block->init_queued)) {
        my $got = $Got{$want->{spool}} // [];
        is(scalar(grep { ref } @$got), $want->{count}, "$name - $want->{count} uploads were queued")
            or diag(join "\n", grep { !ref } @$got);
        is(scalar(grep { ref && ($_->{notification} // '') eq 'queued' } @$got), $want->{count},
           "$name - every answer says notification queued");
        is(scalar(entries(spool($want->{spool}))), $want->{entries}, "$name - entries in the spool")
            if defined $want->{entries};
    }
    if (defined(my $want = $block->replayed)) {
        check_replayed($name, $want);
    }
    if (defined(my $want = $block->given_up)) {
        my $dir = spool($want->{spool});
        my $ids = $Ids{$want->{spool}} // [];
        is(scalar @$ids, 1, "$name - one event was journaled");
        ok(@$ids && wait_for(sub { -e "$dir/failed/$ids->[0].json" }, 20),
           "$name - the entry was moved to failed/");
        is(scalar(entries($dir)), 0, "$name - the spool is empty");
        ok(@$ids && !drain_events()->{$ids->[0]}, "$name - nothing was published");
    }
    if (defined(my $want = $block->error)) {
        check_error($name, $body, $want);
        # the access log is written when nginx frees the request
        my $log = "$Test::Nginx::Util::ServRoot/logs/prism.log";
        wait_for(sub { -s $log }, 2);
        my ($key) = split ' ', (slurp($log) // '');
        ok(defined $key && $key ne '-' && !defined s3_object($Bucket, $key),
           "$name - the original was removed");
        if (defined(my $dir = $block->spool)) {
            my @files;
            if (opendir my $dh, spool($dir)) {
                @files = grep { !/^\.\.?$/ } readdir $dh;
            }
            ok(-d spool($dir), "$name - the spool exists");
            is("@files", '', "$name - nothing was journaled");
        }
    }
    if (defined(my $dir = $block->no_intent)) {
        opendir my $dh, spool($dir);
        my @left = grep { /\.(intent|tmp)$/ } readdir($dh // return);
        is("@left", '', "$name - the upload's intent was removed before the answer");
    }
    if (defined(my $want = $block->intents)) {
        my $got = $Got{$want->{spool}} // {};
        is(join(' ', intents(spool($want->{spool}))), $want->{left}, "$name - intents left in the spool");
        is(scalar(entries(spool($want->{spool}) . '/failed')), 0, "$name - nothing moved to failed/");
        # events expected by image id: fixed ones, and those of the init's uploads
        my %expect = (%{ $want->{events} // {} }, %{ $got->{expect} // {} });
        my $events = $got->{events} // {};
        for my $id (sort keys %expect) {
            is($events->{$id} // 0, $expect{$id}, "$name - events of $id");
        }
        if (my $id = $got->{etag_of}) {
            is($Etag{$id}, $got->{etag}, "$name - the event carries the object's ETag");
        }
    }
    if (defined(my $want = $block->counters)) {
        my $st = status_json(Test::Nginx::Util::server_port(), '/status');
        for my $path (sort keys %$want) {
            my ($a, $b) = split /\./, $path;
            is($st->{$a}{$b}, $want->{$path}, "$name - status $path");
        }
    }
});

run_tests();

__DATA__

=== TEST 1: SNS unreachable: the event is journaled, 201 with notification queued
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/restart;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 201
--- response_headers_like
Location: http://127\.0\.0\.1:\d+/prism-ingest/\d{4}/\d\d/\d\d/[0-9a-f-]{36}\.jpg
--- queued eval
+{ image => 'jpeg-baseline-420.jpg', spool => 'restart' }
--- counters eval
+{ 'outbox.queued' => 1, 'outbox.replayed' => 0, 'publishes.failed' => 1, 'uploads.created' => 1 }
--- error_log
prism: publishing the event of
is queued for replay in
--- no_error_log
[alert]
[crit]
--- timeout: 10



=== TEST 2: nginx restarted with SNS back: the journaled event is replayed once, the spool empties
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/restart;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
# the depth gauge drops to 0 at the first look after the replay (5 s)
my $port = Test::Nginx::Util::server_port();
main::wait_for(sub {
    my $st = PrismTest::status_json($port, '/status');
    $st && $st->{outbox}{replayed} == 1 && $st->{outbox}{entries} == 0;
}, 15);
--- request
GET /status
--- error_code: 200
--- replayed eval
+{ spool => 'restart', count => 1 }
--- counters eval
+{ 'outbox.replayed' => 1, 'outbox.entries' => 0, 'outbox.queued' => 0, 'outbox.failed' => 0 }
--- error_log
prism: replayed the event of
--- no_error_log
[error]
[alert]
[crit]
--- timeout: 20



=== TEST 3: 20 uploads while SNS is unreachable: 20 entries
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/workers;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
my $port = Test::Nginx::Util::server_port();
my @ups = map {
    PrismTest::start_upload($port, PrismTest::upload_request(POST => '/upload',
                                                             PrismTest::image('png-rgb.png')))
} 1 .. 20;
for my $up (@ups) {
    my ($status, $body) = PrismTest::upload_result($up, 30);
    my $res = eval { JSON::PP::decode_json($body // '') };
    push @{ $main::Got{workers} }, ($status // 0) == 201 && $res ? $res : "status " . ($status // 'none');
    push @{ $main::Ids{workers} }, $res->{imageId} if $res && $res->{imageId};
}
--- request
GET /status
--- error_code: 200
--- init_queued eval
+{ spool => 'workers', count => 20, entries => 20 }
--- counters eval
+{ 'outbox.queued' => 20, 'uploads.created' => 20 }
--- timeout: 40



=== TEST 4: two workers replay the same 20 entries with a slow SNS: each event arrives exactly once
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/workers;
    # every publish takes about half a second: the workers' batches overlap
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            limit_rate 500;
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /status { prism_status json; }
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- init
main::wait_for(sub { !main::entries(main::spool('workers')) }, 30);
--- request
GET /status
--- error_code: 200
--- replayed eval
+{ spool => 'workers', count => 20 }
--- counters eval
+{ 'outbox.replayed' => 20, 'outbox.failed' => 0 }
--- no_error_log
[error]
[alert]
[crit]
--- timeout: 30



=== TEST 5: SNS fails, nginx is reloaded, SNS comes back: the new workers replay the entry once
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/reload;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            if (!-f $document_root/sns-up) {
                return 503 '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>injected outage</Message></Error></ErrorResponse>';
            }
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
my $res = main::upload_queued('png-rgba.png');
push @{ $main::Got{reload} }, $res;
push @{ $main::Ids{reload} }, $res->{imageId} if ref $res;
# a worker's replay fails at least once (its backoff grows) ...
main::wait_for(sub { main::error_log_has('failed, it stays queued') }, 15);
# ... then nginx is reloaded, and the new workers find SNS back
my $master = main::master_pid();
my @old = main::workers_of($master);
kill 'HUP', $master;
main::wait_for(sub { main::workers_of($master) > @old }, 10);
open my $fh, '>', Test::Nginx::Util::html_dir() . '/sns-up' or die "flag: $!";
close $fh;
main::wait_for(sub { !main::entries(main::spool('reload')) }, 20);
--- request
GET /status
--- error_code: 200
--- init_queued eval
+{ spool => 'reload', count => 1 }
--- replayed eval
+{ spool => 'reload', count => 1 }
--- counters eval
+{ 'outbox.queued' => 1, 'outbox.replayed' => 1, 'outbox.failed' => 0, 'uploads.created' => 1 }
--- error_log
failed, it stays queued
prism: replayed the event of
--- no_error_log
[alert]
[crit]
--- timeout: 40



=== TEST 6: an entry SNS refuses for good when replayed is moved to failed/, not published
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/refused;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            if (-f $document_root/sns-gone) {
                return 404 '<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>';
            }
            return 503 '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>injected outage</Message></Error></ErrorResponse>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
my $res = main::upload_queued('jpeg-gray.jpg');
push @{ $main::Ids{refused} }, $res->{imageId} if ref $res;
open my $fh, '>', Test::Nginx::Util::html_dir() . '/sns-gone' or die "flag: $!";
close $fh;
main::wait_for(sub { main::entries(main::spool('refused') . '/failed') }, 20);
--- request
GET /status
--- error_code: 200
--- given_up eval
+{ spool => 'refused' }
--- counters eval
+{ 'outbox.queued' => 1, 'outbox.replayed' => 0, 'outbox.failed' => 1 }
--- error_log
prism: SNS refused the event of
Topic does not exist
--- timeout: 30



=== TEST 7: an entry older than max_age is moved to failed/
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/expired max_age=1s;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
my $res = main::upload_queued('webp-lossy.webp');
push @{ $main::Ids{expired} }, $res->{imageId} if ref $res;
main::wait_for(sub { main::entries(main::spool('expired') . '/failed') }, 20);
--- request
GET /status
--- error_code: 200
--- given_up eval
+{ spool => 'expired' }
--- counters eval
+{ 'outbox.queued' => 1, 'outbox.failed' => 1 }
--- error_log
is older than max_age, moved to failed/
--- timeout: 30



=== TEST 8: a permanent SNS error (no such topic) is not journaled: 502, the original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/permanent;
    log_format prism '$prism_key';
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn arn:aws:sns:us-east-1:$TEST_NGINX_AWS_ACCOUNT:prism-no-such-topic;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-gray16.png'))
--- error_code: 502
--- error: publish_failed
--- spool: permanent
--- response_body_like: Topic does not exist.*the stored original was removed
--- counters eval
+{ 'outbox.queued' => 0, 'unstores.ok' => 1, 'publishes.failed' => 1 }
--- no_error_log
is queued for replay



=== TEST 9: without prism_outbox an unreachable SNS still fails the upload: 503, the original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_key';
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 503
--- error: publish_unavailable
--- response_body_like: the stored original was removed
--- counters eval
+{ 'outbox.queued' => 0, 'unstores.ok' => 1, 'intents.written' => 0 }
--- error_log
"prism_upload" without "prism_outbox" is not crash-safe
--- timeout: 10



=== TEST 10: an unknown prism_outbox parameter is refused when the configuration is loaded
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/bad maxage=1d;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log
[emerg]
invalid parameter "maxage=1d" in "prism_outbox" directive



=== TEST 11: an upload writes its intent before the store and removes it before the answer
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/intent;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 201
--- no_intent: intent
--- counters eval
+{ 'intents.written' => 1, 'intents.published' => 0, 'intents.forgotten' => 0,
   'outbox.queued' => 0, 'uploads.created' => 1 }
--- no_error_log
[error]
[crit]
--- timeout: 10



=== TEST 12: intents left behind (S3): this upload's object is published with its ETag; a missing object, another upload's, an intent in its grace or held by a live worker are not
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/intents;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
my $port = Test::Nginx::Util::server_port();
my $up = PrismTest::start_upload($port, PrismTest::upload_request(POST => '/upload',
                                                                  PrismTest::image('png-rgb.png')));
my ($status, $body) = PrismTest::upload_result($up, 30);
my $res = eval { JSON::PP::decode_json($body // '') } or die "upload: " . ($status // 'none');
main::drain_events();
my ($rc, $head) = PrismTest::aws('s3', 'head', $res->{bucket}, $res->{key});
my $etag = (eval { JSON::PP::decode_json($head) } // {})->{etag} // '';
$etag =~ s/"//g;
my $dir = main::spool('intents');
my %mine = (size => $res->{size}, sha256 => $res->{sha256});
main::write_intent($dir, 'mine', $res->{imageId}, $res->{key}, %mine);
main::write_intent($dir, 'missing', "missing-$res->{imageId}", "intent-tests/$res->{imageId}.png", %mine);
main::write_intent($dir, 'other', "other-$res->{imageId}", $res->{key}, %mine);
main::write_intent($dir, 'early', "early-$res->{imageId}", $res->{key}, %mine, resolveAfter => int(time) + 3600);
main::write_intent($dir, 'owned', "owned-$res->{imageId}", $res->{key}, %mine);
open $main::Owned, '<', "$dir/owned.intent" or die "owned: $!";
flock($main::Owned, LOCK_EX) or die "flock: $!";
main::wait_for(sub {
    my $st = PrismTest::status_json($port, '/status');
    $st && $st->{intents}{published} == 1 && $st->{intents}{forgotten} == 2;
}, 20);
$main::Got{intents} = { events => main::drain_events(), etag_of => $res->{imageId}, etag => $etag,
                        expect => { $res->{imageId} => 1, "missing-$res->{imageId}" => 0,
                                    "other-$res->{imageId}" => 0, "early-$res->{imageId}" => 0,
                                    "owned-$res->{imageId}" => 0 } };
--- request
GET /status
--- error_code: 200
--- intents eval
+{ spool => 'intents', left => 'early.intent owned.intent' }
--- counters eval
+{ 'intents.written' => 1, 'intents.published' => 1, 'intents.forgotten' => 2 }
--- error_log
resolving its intent
the object is another upload's
nothing was stored
--- no_error_log
[error]
[crit]
--- timeout: 30



=== TEST 13: intents left behind (local store): published when the file is the upload's (size, SHA-256), else forgotten
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/local;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_local_dir $TEST_NGINX_OUTBOX/local-store;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
my $port = Test::Nginx::Util::server_port();
my $store = "$ENV{TEST_NGINX_OUTBOX}/local-store";
mkdir $store;
my $bytes = PrismTest::image('jpeg-gray.jpg');
open my $fh, '>:raw', "$store/a.jpg" or die "$store/a.jpg: $!";
print $fh $bytes;
close $fh;
my $dir = main::spool('local');
my %file = (bucket => '', localPath => "$store/a.jpg", size => length $bytes);
main::write_intent($dir, 'good', 'local-good', 'a.jpg', %file, sha256 => Digest::SHA::sha256_hex($bytes));
main::write_intent($dir, 'changed', 'local-changed', 'a.jpg', %file, sha256 => 'b' x 64);
main::write_intent($dir, 'gone', 'local-gone', 'b.jpg', %file, localPath => "$store/b.jpg",
                   sha256 => Digest::SHA::sha256_hex($bytes));
main::wait_for(sub { !main::intents($dir) }, 20);
$main::Got{local} = { events => main::drain_events() };
--- request
GET /status
--- error_code: 200
--- intents eval
+{ spool => 'local', left => '',
   events => { 'local-good' => 1, 'local-changed' => 0, 'local-gone' => 0 } }
--- counters eval
+{ 'intents.published' => 1, 'intents.forgotten' => 2 }
--- no_error_log
[error]
[crit]
--- timeout: 30
