# The status handler: counters kept in shared memory, so that with a
# master process and several workers every upload is counted once, in
# Prometheus text or JSON.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

master_on();
workers(2);

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
    $block->set_value(http_config => "prism_aws_endpoint \$TEST_NGINX_AWS_ENDPOINT;\n"
                                     . "prism_credentials env;\n")
        unless defined $block->http_config;
});

# Sends the uploads at once from child processes, so that both workers
# take some; returns the statuses in order.
sub upload_all {
    my (@bodies) = @_;
    my $port = Test::Nginx::Util::server_port();
    my @ups = map { start_upload($port, upload_request(POST => '/upload', $_)) } @bodies;
    return map { (upload_result($_, 15))[0] // 'none' } @ups;
}

run_tests();

__DATA__

=== TEST 1: uploads by outcome, bytes, stores and publishes, as Prometheus text
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /metrics {
        prism_status;
    }
--- init
my @st = main::upload_all(map({ PrismTest::image('jpeg-baseline-420.jpg') } 1 .. 4),
                          '', 'not an image at all');
"@st" eq '201 201 201 201 400 415' or die "unexpected statuses: @st";
--- request
GET /metrics
--- response_headers
Content-Type: text/plain; version=0.0.4; charset=utf-8
--- response_body_like eval
my $size = 4 * length PrismTest::image('jpeg-baseline-420.jpg');
[
    qr/^prism_uploads_total\{outcome="created"\} 4$/m,
    qr/^prism_uploads_total\{outcome="empty_body"\} 1$/m,
    qr/^prism_uploads_total\{outcome="unsupported_type"\} 1$/m,
    qr/^prism_uploads_total\{outcome="too_large"\} 0$/m,
    qr/^prism_upload_bytes_total $size$/m,
    qr/^prism_uploads_in_flight 0$/m,
    qr/^prism_stores_total\{result="ok"\} 4$/m,
    qr/^prism_publishes_total\{result="ok"\} 4$/m,
    qr/^prism_publish_seconds_bucket\{le="\+Inf"\} 4$/m,
    qr/^prism_publish_seconds_count 4$/m,
    qr/^# TYPE prism_publish_seconds histogram$/m,
]



=== TEST 2: the same counters as JSON; the status handler only answers GET and HEAD
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status {
        prism_status json;
    }
--- init
my @st = main::upload_all(PrismTest::image('png-rgb.png'), PrismTest::image('webp-lossy.webp'));
"@st" eq '201 201' or die "unexpected statuses: @st";
--- request eval
["GET /status", "POST /status\nx"]
--- error_code eval
[200, 405]
--- response_headers eval
["Content-Type: application/json", ""]
--- response_body_like eval
[qr/"uploads":\{"created":2,.*"publishes":\{"ok":2,"failed":0,"retries":0,"latency":\{"count":2,/, qr/405/]
