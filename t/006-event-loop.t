# The upload never blocks nginx's event loop: while one upload waits for a
# slow SNS endpoint (a stock nginx server answering at 200 bytes/s, about
# 2 s for a Publish answer), a request to another location on the same
# single worker is answered.  Asserted by order: /fast answers while the
# upload is still pending, then the upload completes normally.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

our $Upload;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

# Starts the upload in a child process and waits (bounded) until it is
# past its store and waiting for the slow publish.
sub start_slow_upload {
    my ($file) = @_;
    my $port = Test::Nginx::Util::server_port();
    $Upload = start_upload($port, upload_request(POST => '/upload', image($file)));
    for (1 .. 100) {
        my $st = status_json($port, '/status');
        return 1 if $st && $st->{stores}{ok} == 1 && $st->{inFlight} == 1;
        Time::HiRes::sleep(0.05);    # poll: until the condition holds or the deadline
    }
    return 0;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run || !defined $block->slow_upload;
    my $name = $block->name;
    ok(!upload_finished($Upload),
       "$name - the upload was still waiting for SNS when /fast answered");
    my ($status, $upload_body) = upload_result($Upload, 15);
    is($status, 201, "$name - the upload then completed");
    check_created($name, $upload_body // '', $block->slow_upload);
});

run_tests();

__DATA__

=== TEST 1: a slow SNS publish stalls no other request of the worker
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            limit_rate 200;
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
    location /fast { return 200 "fast\n"; }
--- init
main::start_slow_upload('jpeg-baseline-420.jpg')
    or die "the upload did not reach its publish";
--- request
GET /fast
--- response_body
fast
--- slow_upload eval
+{ bytes => PrismTest::image('jpeg-baseline-420.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- timeout: 20
--- no_error_log
[error]



=== TEST 2: a slow S3 store stalls no other request of the worker either
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 0;
        location / {
            limit_rate 100;
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
    location /fast { return 200 "fast\n"; }
--- init
my $port = Test::Nginx::Util::server_port();
$main::Upload = PrismTest::start_upload($port,
    PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png')));
my $in_flight;
for (1 .. 100) {
    my $st = PrismTest::status_json($port, '/status');
    last if $in_flight = $st && $st->{inFlight} == 1;
    Time::HiRes::sleep(0.05);    # poll: until the upload is in flight
}
die "the upload never got in flight\n" unless $in_flight;
--- request
GET /fast
--- response_body
fast
--- slow_upload eval
+{ bytes => PrismTest::image('png-rgb.png'), type => 'image/png', width => 150, height => 91 }
--- timeout: 20
--- no_error_log
[error]
