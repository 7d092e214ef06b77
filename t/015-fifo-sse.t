# FIFO topics and S3 server-side encryption.
#
# FIFO: a topic whose name ends in ".fifo" gets a MessageGroupId
# (prism_message_group_id, "prism" when unset or empty) and the upload's
# SHA-256 as MessageDeduplicationId: the same bytes uploaded twice fan out
# once into a FIFO queue subscribed to it, a different image fans out
# again, and the events carry the configured group.  A standard topic gets
# neither parameter.  The Publish requests go through a stock nginx
# location that proxies to the emulator and logs their bodies.
#
# SSE: with prism_s3_sse, PutObject and CreateMultipartUpload carry the
# x-amz-server-side-encryption headers (the emulator does not report them,
# so S3 goes through a recording location too, which logs the headers of
# every S3 request); bad values fail the configuration test.
#
# The FIFO topic and queue are this run's own (SNS deduplicates per topic
# for 5 minutes, a previous run's uploads must not hide this run's) and
# are deleted at the end.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;
use Digest::SHA qw(sha256_hex);
use JSON::PP qw(decode_json);
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep time);

no_shuffle();

# the outbox's spool directory (created by nginx)
$ENV{TEST_NGINX_OUTBOX} = tempdir(CLEANUP => 1);
our $Journaled;    # the answer of the upload journaled in TEST 12

my $Name     = "prism-nginx-fifo-$$-" . int(time) . '.fifo';
my $FifoArn  = PrismTest::aws_setup("creating topic $Name (its ARN)", 'sns', 'create-topic',
    '--name', $Name, '--attr', 'FifoTopic=true', '--attr', 'ContentBasedDeduplication=false');

$ENV{TEST_NGINX_FIFO_TOPIC} = $FifoArn;
my $FifoQueue = subscribe_queue($Name, $FifoArn);

END {
    aws('sqs', 'delete-queue', '--queue-url', $FifoQueue) if $FifoQueue;
    aws('sns', 'delete-topic', '--topic-arn', $FifoArn) if $FifoArn;
}

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

# Receives (and deletes) the FIFO queue's messages until two receives in
# a row come back empty; returns [{ id, sha256, group }] in arrival order.
sub fifo_events {
    my @events;
    my $empty = 0;
    for my $round (1 .. 20) {
        last if $empty >= 2;
        my ($rc, $out) = aws('sqs', 'receive', '--queue-url', $FifoQueue, '--max', 10,
                             '--wait', 1, '--delete');
        die "receiving from $Name failed\n" if $rc != 0;
        my @msgs = map { decode_json($_) } split /\n/, $out;
        $empty = @msgs ? 0 : $empty + 1;
        for my $m (@msgs) {
            my $body = eval { decode_json($m->{body}) } // {};
            push @events, { id => $body->{prism}{imageId}, sha256 => $body->{prism}{sha256},
                            group => $m->{group_id} };
        }
    }
    return \@events;
}

# Uploads IMAGE (with extra headers) from a child; the decoded 201
# answer, or a string saying what came back instead.
sub upload {
    my ($image, @headers) = @_;
    my $up = start_upload(Test::Nginx::Util::server_port(),
                          upload_request(POST => '/upload', image($image), @headers));
    my ($status, $body) = upload_result($up, 30);
    return "no answer" unless defined $status;
    return "status $status: $body" unless $status == 201;
    return eval { decode_json($body) } // "not JSON: $body";
}

# The lines of logs/NAME written by the recording locations (the access
# log is written when nginx frees the request: waits a little for it).
sub recorded {
    my ($name, $count) = @_;
    my $file = "$Test::Nginx::Util::ServRoot/logs/$name";
    my @lines;
    for my $try (1 .. 20) {
        if (open my $fh, '<', $file) {
            @lines = grep { /\S/ } <$fh>;
            chomp @lines;
        }
        last if @lines >= $count;
        sleep 0.1;    # poll: until the condition holds or the deadline
    }
    return @lines;
}

# The form fields of a logged Publish body.
sub publish_fields {
    my ($line) = @_;
    $line =~ s/\\x([0-9A-F]{2})/chr hex $1/ge;
    my %f;
    for my $pair (split /&/, $line) {
        my ($k, $v) = split /=/, $pair, 2;
        next unless defined $v;
        $v =~ tr/+/ /;
        $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
        $f{$k} = $v;
    }
    return \%f;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;

    if (defined(my $want = $block->fifo)) {
        my $first = eval { decode_json($body) } // {};
        ok($first->{imageId}, "$name - the first upload was created") or return;
        my @more = map { upload($_, @{ $want->{headers} }) } @{ $want->{then} };
        my @bad = grep { !ref } @more;
        is("@bad", '', "$name - the next uploads were created");
        my @answers = ($first, grep { ref } @more);
        my $events = fifo_events();
        my @want_ids = map { $answers[$_]{imageId} } @{ $want->{delivered} };
        is(join(' ', map { $_->{id} // '-' } @$events), join(' ', @want_ids),
           "$name - the events delivered, once each, in order");
        is(scalar(grep { ($_->{group} // '') eq $want->{group} } @$events), scalar @want_ids,
           "$name - every event's message group is $want->{group}");
        my @publish = map { publish_fields($_) } recorded('sns.log', scalar @answers);
        is(scalar @publish, scalar @answers, "$name - one Publish per upload");
        for my $i (0 .. $#publish) {
            is($publish[$i]{MessageGroupId}, $want->{group}, "$name - Publish $i: MessageGroupId");
            is($publish[$i]{MessageDeduplicationId}, $answers[$i]{sha256},
               "$name - Publish $i: MessageDeduplicationId is the upload's SHA-256");
        }
    }

    if (defined(my $want = $block->created)) {
        check_created($name, $body, $want);
    }

    if ($block->standard_publish) {
        my @publish = map { publish_fields($_) } recorded('sns.log', 1);
        is(scalar @publish, 1, "$name - one Publish");
        is($publish[0]{TopicArn}, $Topic, "$name - Publish: the standard topic");
        ok(!exists $publish[0]{MessageGroupId}, "$name - Publish: no MessageGroupId");
        ok(!exists $publish[0]{MessageDeduplicationId}, "$name - Publish: no MessageDeduplicationId");
    }

    if (defined(my $want = $block->error)) {
        check_error($name, $body, $want);
    }

    if (defined(my $want = $block->journaled)) {
        my $res = eval { decode_json($body) } // {};
        is($res->{notification}, 'queued', "$name - the event was journaled");
        my $file = "$ENV{TEST_NGINX_OUTBOX}/fifo/$res->{imageId}.json";
        my $entry = eval { open my $fh, '<', $file or die; local $/; decode_json(<$fh>) } // {};
        is($entry->{topicArn}, $FifoArn, "$name - entry: the FIFO topic");
        is($entry->{messageGroupId}, $want->{group}, "$name - entry: messageGroupId");
        is($entry->{deduplicationId}, $res->{sha256}, "$name - entry: deduplicationId");
        $Journaled = $res;
    }

    if (defined(my $want = $block->replayed)) {
        my $events = fifo_events();
        is(join(' ', map { $_->{id} // '-' } @$events), $Journaled->{imageId} // 'none',
           "$name - the journaled event arrived once");
        is($events->[0]{group}, $want->{group}, "$name - in its message group");
        is($events->[0]{sha256}, $Journaled->{sha256}, "$name - with the upload's SHA-256");
    }

    if (defined(my $want = $block->sse)) {
        my $res = eval { decode_json($body) } // {};
        my @lines = recorded('s3.log', scalar @{ $want->{requests} });
        for my $req (@{ $want->{requests} }) {
            my ($method, $suffix, $sse, $kms) = @$req;
            my $line = "$method /$Bucket/$res->{key}$suffix sse=$sse kms=$kms";
            ok((grep { $_ eq $line } @lines), "$name - S3 got \"$line\"")
                or diag(join "\n", @lines);
        }
        if (defined $want->{parts}) {
            my @parts = grep { /^PUT \S+[?&]partNumber=/ } @lines;
            cmp_ok(scalar @parts, '>=', $want->{parts}, "$name - the parts were sent");
            is(scalar(grep { !/ sse=- kms=-$/ } @parts), 0,
               "$name - the parts carry no encryption header");
        }
        ok(defined $want->{bytes} && (s3_object($Bucket, $res->{key}) // '') eq $want->{bytes},
           "$name - the object holds the uploaded bytes");
    }
});

run_tests();

__DATA__

=== TEST 1: a FIFO topic: the same bytes twice fan out once, another image again, in the configured group
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism_sns '$request_body';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_body_buffer_size 1m;
        location / {
            access_log logs/sns.log prism_sns;
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_FIFO_TOPIC;
        prism_message_group_id tenant-$http_x_tenant;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'), 'X-Tenant: alice')
--- error_code: 201
--- fifo eval
+{ headers => ['X-Tenant: alice'], then => ['jpeg-baseline-420.jpg', 'png-rgba.png'],
   delivered => [0, 2], group => 'tenant-alice' }
--- no_error_log
[error]
[alert]
--- timeout: 30



=== TEST 2: a FIFO topic: an empty group id value falls back to the default "prism"
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism_sns '$request_body';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_body_buffer_size 1m;
        location / {
            access_log logs/sns.log prism_sns;
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_FIFO_TOPIC;
        prism_message_group_id $http_x_tenant;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('webp-lossless-alpha.webp'))
--- error_code: 201
--- fifo eval
+{ headers => [], then => [], delivered => [0], group => 'prism' }
--- no_error_log
[error]
[alert]
--- timeout: 30



=== TEST 3: a standard topic gets no MessageGroupId nor MessageDeduplicationId
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_message_group_id tenant-$http_x_tenant;
    log_format prism_sns '$request_body';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_body_buffer_size 1m;
        location / {
            access_log logs/sns.log prism_sns;
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgba.png'), 'X-Tenant: bob')
--- error_code: 201
--- created eval
+{ bytes => PrismTest::image('png-rgba.png'), type => 'image/png', width => 150, height => 91 }
--- standard_publish: 1
--- no_error_log
[error]
[alert]



=== TEST 4: a computed group id SNS would refuse fails the upload, and the original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_FIFO_TOPIC;
        prism_message_group_id "tenant $http_x_tenant";
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'), 'X-Tenant: carol')
--- error_code: 500
--- error: internal_error
--- response_body_like: the stored original was removed
--- error_log
the message group id is not 1 to 128 printable ASCII characters



=== TEST 5: a FIFO topic, SNS unreachable: the journaled entry keeps the group and deduplication ids
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/fifo;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_FIFO_TOPIC;
        prism_message_group_id replayed;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'))
--- error_code: 201
--- journaled eval
+{ group => 'replayed' }
--- error_log
is queued for replay in
--- timeout: 15



=== TEST 6: SNS back: the replay publishes the entry with its group and deduplication ids
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_outbox $TEST_NGINX_OUTBOX/fifo;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_FIFO_TOPIC;
    }
    location /status { prism_status json; }
--- init
my $port = Test::Nginx::Util::server_port();
my $end = Time::HiRes::time() + 15;
until (Time::HiRes::time() > $end) {
    my $st = PrismTest::status_json($port, '/status');
    last if $st && $st->{outbox}{replayed} == 1;
    Time::HiRes::sleep(0.1);    # poll: until the condition holds or the deadline
}
--- request
GET /status
--- error_code: 200
--- replayed eval
+{ group => 'replayed' }
--- error_log
prism: replayed the event of
--- no_error_log
[alert]
--- timeout: 20



=== TEST 7: prism_s3_sse AES256: PutObject carries x-amz-server-side-encryption
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism_s3 '$request_method $request_uri sse=$http_x_amz_server_side_encryption kms=$http_x_amz_server_side_encryption_aws_kms_key_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 0;
        location / {
            access_log logs/s3.log prism_s3;
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        prism_s3_sse AES256;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'))
--- error_code: 201
--- sse eval
+{ requests => [['PUT', '', 'AES256', '-']], bytes => PrismTest::image('jpeg-gray.jpg') }
--- no_error_log
[error]
[alert]



=== TEST 8: prism_s3_sse aws:kms KEY in a server: CreateMultipartUpload carries it, the parts do not
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism_s3 '$request_method $request_uri sse=$http_x_amz_server_side_encryption kms=$http_x_amz_server_side_encryption_aws_kms_key_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 0;
        location / {
            access_log logs/s3.log prism_s3;
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    prism_s3_sse aws:kms alias/prism-ingest;
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        prism_s3_multipart_threshold 5m;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png') . ("\x5a" x (6 * 1024 * 1024)))
--- error_code: 201
--- sse eval
+{ requests => [['POST', '?uploads', 'aws:kms', 'alias/prism-ingest']], parts => 2,
   bytes => PrismTest::image('png-rgb.png') . ("\x5a" x (6 * 1024 * 1024)) }
--- no_error_log
[error]
[alert]
--- timeout: 30



=== TEST 9: prism_s3_sse with an unknown algorithm
--- config
    location /upload {
        prism_s3_sse AES128;
    }
--- must_die
--- error_log
prism: invalid value "AES128" in "prism_s3_sse" directive, expected off, AES256 or aws:kms [KEY_ID]



=== TEST 10: prism_s3_sse AES256 with a key id
--- config
    location /upload {
        prism_s3_sse AES256 alias/key;
    }
--- must_die
--- error_log
prism: invalid value "AES256" in "prism_s3_sse" directive, expected off, AES256 or aws:kms [KEY_ID]



=== TEST 11: prism_s3_sse aws:kms with a key id holding a space
--- config
    location /upload {
        prism_s3_sse aws:kms "alias/a key";
    }
--- must_die
--- error_log
prism: invalid KMS key id "alias/a key" in "prism_s3_sse" directive



=== TEST 12: prism_s3_sse twice
--- config
    location /upload {
        prism_s3_sse off;
        prism_s3_sse AES256;
    }
--- must_die
--- error_log
"prism_s3_sse" directive is duplicate



=== TEST 13: a constant prism_message_group_id SNS would refuse
--- config
    location /upload {
        prism_message_group_id "two words";
    }
--- must_die
--- error_log
prism: invalid value "two words" in "prism_message_group_id" directive, expected 1 to 128 printable ASCII characters without spaces
