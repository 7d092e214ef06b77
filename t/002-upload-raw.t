# Raw POST/PUT uploads: stored in S3, announced on SNS; the answer, the
# stored bytes, the event in every subscribed queue and the $prism_*
# variables are checked for each.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run || !defined $block->created;
    check_created($block->name, $body, $block->created);
});

run_tests();

__DATA__

=== TEST 1: a JPEG POSTed as a raw body
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'), 'Content-Type: image/jpeg')
--- created eval
+{ bytes => PrismTest::image('jpeg-baseline-420.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- error_code: 201
--- response_headers_like
Content-Type: application/json
Location: http://127\.0\.0\.1:\d+/prism-ingest/\d{4}/\d\d/\d\d/[0-9a-f-]{36}\.jpg
--- no_error_log
[error]
[alert]



=== TEST 2: a PNG PUT, whatever Content-Type the client claims
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(PUT => '/upload', PrismTest::image('png-rgba.png'), 'Content-Type: image/jpeg')
--- created eval
+{ bytes => PrismTest::image('png-rgba.png'), type => 'image/png', width => 150, height => 91 }
--- error_code: 201
--- response_headers_like
Location: http://127\.0\.0\.1:\d+/prism-ingest/\d{4}/\d\d/\d\d/[0-9a-f-]{36}\.png
--- no_error_log
[error]



=== TEST 3: an animated GIF with "prism_types" naming it: the animated attribute
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    prism_types jpeg webp gif;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('gif-animated.gif'))
--- created eval
+{ bytes => PrismTest::image('gif-animated.gif'), type => 'image/gif', width => 64, height => 40, animated => 1 }
--- error_code: 201
--- no_error_log
[error]



=== TEST 4: a lossless WebP with alpha
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('webp-lossless-alpha.webp'), 'Content-Type: application/octet-stream')
--- created eval
+{ bytes => PrismTest::image('webp-lossless-alpha.webp'), type => 'image/webp', width => 150, height => 91 }
--- error_code: 201
--- no_error_log
[error]



=== TEST 5: a chunked body
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
my $img = PrismTest::image('jpeg-progressive.jpg');
my $half = int(length($img) / 2);
"POST /upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
. "Transfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n", $half) . substr($img, 0, $half) . "\r\n"
. sprintf("%x\r\n", length($img) - $half) . substr($img, $half) . "\r\n0\r\n\r\n"
--- created eval
+{ bytes => PrismTest::image('jpeg-progressive.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- error_code: 201
--- no_error_log
[error]



=== TEST 6: key prefix and template, bucket from a variable, the variables
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        set $target prism-ingest;
        prism_upload on;
        prism_bucket $target;
        prism_key_prefix originals/$prism_year/;
        prism_key_template "{mm}{dd}/{id}-{sha256_8}.{ext}";
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        add_header X-Key $prism_key;
        add_header X-Id $prism_image_id;
        add_header X-Sha $prism_sha256;
        add_header X-Message $prism_message_id;
        add_header X-Type "$prism_content_type $prism_width $prism_height $prism_size $prism_ext";
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-palette.png'))
--- created eval
+{ bytes => PrismTest::image('png-palette.png'), type => 'image/png', width => 150, height => 91 }
--- error_code: 201
--- response_headers_like eval
my $sha = Digest::SHA::sha256_hex(PrismTest::image('png-palette.png'));
my $size = length PrismTest::image('png-palette.png');
my $short = substr($sha, 0, 8);
[
    "X-Key: originals/\\d{4}/\\d{4}/[0-9a-f-]{36}-$short\\.png",
    "X-Id: [0-9a-f-]{36}",
    "X-Sha: $sha",
    "X-Message: [0-9a-f-]+",
    "X-Type: image/png 150 91 $size png",
    "Location: .*/prism-ingest/originals/",
]
--- no_error_log
[error]



=== TEST 7: prism_location sets the Location header
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        prism_location https://images.example.com/$prism_image_id;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'))
--- created eval
+{ bytes => PrismTest::image('jpeg-gray.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- error_code: 201
--- response_headers_like
Location: https://images\.example\.com/[0-9a-f-]{36}$
--- no_error_log
[error]



=== TEST 8: a HEIC on the default configuration (a 2x1 grid of HEVC tiles; the primary item's ispe)
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('heic-64x48.heic'), 'Content-Type: application/octet-stream')
--- created eval
+{ bytes => PrismTest::image('heic-64x48.heic'), type => 'image/heic', width => 64, height => 48 }
--- error_code: 201
--- response_headers_like
Location: http://127\.0\.0\.1:\d+/prism-ingest/\d{4}/\d\d/\d\d/[0-9a-f-]{36}\.heic
--- no_error_log
[error]



=== TEST 9: an AVIF rotated by 90 degrees (irot) on the default configuration: the displayed size
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(PUT => '/upload', PrismTest::image('avif-64x48-irot90.avif'), 'Content-Type: image/avif')
--- created eval
+{ bytes => PrismTest::image('avif-64x48-irot90.avif'), type => 'image/avif', width => 48, height => 64 }
--- error_code: 201
--- response_headers_like
Location: http://127\.0\.0\.1:\d+/prism-ingest/\d{4}/\d\d/\d\d/[0-9a-f-]{36}\.avif
--- no_error_log
[error]
