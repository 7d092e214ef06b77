# Per-client limits with nginx's limit_req and limit_conn in front of an
# upload location: a burst over the request rate, and a connection over
# the limit of uploads in progress, are refused with 429
# (limit_req_status / limit_conn_status) before the upload handler runs,
# so the refused uploads store and publish nothing, while the admitted
# ones are stored and announced.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use JSON::PP qw(decode_json);
use PrismTest;
use AccessTest;
use StubStatus;

our $Jpeg = PrismTest::image('jpeg-gray.jpg');

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n");
    $block->set_value(http_config => <<'HTTP');
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    log_format prism '$status $prism_outcome $prism_key $prism_image_id';
    limit_req_zone $binary_remote_addr zone=uploads:1m rate=1r/m;
    limit_conn_zone $binary_remote_addr zone=uploading:1m;
HTTP
    $block->set_value(config => <<'CONFIG');
    location = /upload {
        limit_req zone=uploads burst=2 nodelay;
        limit_req_status 429;
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location = /upload-one-at-a-time {
        limit_conn uploading 1;
        limit_conn_status 429;
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location = /nginx-status { stub_status; access_log off; }
CONFIG
});

# Checks the last N logged requests of block NAME (in any order: nginx
# logs a request when its connection closes): REFUSED of them were
# refused with 429; the admitted uploads (201) are stored and announced,
# every other request got no key and no image id, and no other event is
# waiting.
sub check_burst {
    my ($name, $n, $refused) = @_;
    my @lines = last_uploads($n);
    is(scalar @lines, $n, "$name - $n requests logged");
    is(scalar(grep { $_->[0] == 429 } @lines), $refused, "$name - $refused refused with 429");
    for my $l (@lines) {
        my ($status, $outcome, $key, $id) = @$l;
        if ($status == 201) {
            is(s3_object($Bucket, $key), $Jpeg, "$name - $key is stored");
            ok(receive_event($id), "$name - the event of $id arrived");
        } else {
            is("$key $id", '- -', "$name - the $status got no key and no image id");
        }
    }
    ok(no_event(), "$name - no other event is waiting");
}

# Sends the headers and half the body of an upload to /upload-one-at-a-time
# and returns the socket: an upload in progress.
sub start_slow_upload {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => Test::Nginx::Util::server_port(),
                                  Timeout => 10) or die "connect: $!\n";
    my $req = PrismTest::upload_request(POST => '/upload-one-at-a-time', $Jpeg);
    print $s substr($req, 0, length($req) - 1000);
    return $s;
}

# Finishes the upload of start_slow_upload; returns its status.  The
# socket is closed (nginx logs a request when its connection closes).
sub finish_slow_upload {
    my ($s) = @_;
    my $req = PrismTest::upload_request(POST => '/upload-one-at-a-time', $Jpeg);
    print $s substr($req, length($req) - 1000);
    my $raw = do { local $/; <$s> } // '';
    close $s;
    return $raw =~ m{^HTTP/1\.1 (\d+)} ? $1 : 0;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    if (defined(my $n = $block->burst)) {
        check_burst($name, $n, $block->refused) if $req_idx == $n - 1;
    }
    if ($block->concurrent) {
        my $slow = start_slow_upload();
        # the first upload is admitted (its header read: nginx is reading
        # its body) before the second one is sent
        ok(StubStatus::wait_requests_in_progress(Test::Nginx::Util::server_port(),
                                                '/nginx-status', 2),
           "$name - the first upload is in progress");
        my $second = PrismTest::upload_request(POST => '/upload-one-at-a-time', $Jpeg);
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => Test::Nginx::Util::server_port(), Timeout => 10)
            or die "connect: $!\n";
        print $s $second;
        my $raw = do { local $/; <$s> } // '';
        close $s;
        like($raw, qr{^HTTP/1\.1 429 }, "$name - a second upload while one is in progress: 429");
        is(finish_slow_upload($slow), 201, "$name - the upload in progress is created");
        check_burst($name, 3, 1);    # the GET, the refused and the created upload
    }
});

run_tests();

__DATA__

=== TEST 1: limit_req: a burst of 5 uploads, 1 a minute with a burst of 2: 3 created, 2 refused with 429
--- request eval
[ map { "POST /upload\n$main::Jpeg" } 1 .. 5 ]
--- error_code eval
[201, 201, 201, 429, 429]
--- burst: 5
--- refused: 2



=== TEST 2: limit_conn: one upload at a time per client, a second one meanwhile gets 429
--- request
GET /upload-one-at-a-time
--- error_code: 405
--- concurrent: 1
--- error_log
limiting connections by zone "uploading"
