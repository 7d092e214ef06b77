# Validation before anything is stored: the type comes from the magic
# bytes, the dimensions from the header, limits on bytes and pixels; each
# refusal is a JSON error with its status, and nothing is stored or
# published (checked with the status counters and the suites' queue).

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
    $block->set_value(http_config => "prism_aws_endpoint \$TEST_NGINX_AWS_ENDPOINT;\n"
                                     . "prism_credentials env;\n")
        unless defined $block->http_config;
    $block->set_value(config => <<'CONFIG') unless defined $block->config;
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_max_bytes 64k;
        prism_max_pixels 1000000;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status {
        prism_status json;
    }
CONFIG
});

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run || !defined $block->error;
    my $name = $block->name;
    check_error($name, $body, $block->error);
    my $st = status_json(Test::Nginx::Util::server_port(), '/status');
    ok($st, "$name - status answers");
    is($st->{stores}{ok} + $st->{stores}{failed}, 0, "$name - nothing was stored");
    is($st->{publishes}{ok}, 0, "$name - nothing was published");
    is($st->{uploads}{$block->error}, 1, "$name - counted as " . $block->error);
});

# A JPEG whose header declares WIDTH x HEIGHT, followed by PAD bytes.
sub jpeg_header {
    my ($width, $height, $pad) = @_;
    my $sof = pack('n C n n C', 17, 8, $height, $width, 3)
              . pack('C3', 1, 0x22, 0) . pack('C3', 2, 0x11, 1) . pack('C3', 3, 0x11, 1);
    return "\xff\xd8" . "\xff\xc0" . $sof . ("\x5a" x ($pad // 0));
}

run_tests();

__DATA__

=== TEST 1: an empty body
--- raw_request eval
PrismTest::upload_request(POST => '/upload', '')
--- error: empty_body
--- error_code: 400



=== TEST 2: no body at all
--- raw_request eval
"POST /upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error: empty_body
--- error_code: 400



=== TEST 3: a header cut short
--- raw_request eval
PrismTest::upload_request(POST => '/upload', substr(PrismTest::image('png-rgb.png'), 0, 20))
--- error: invalid_image
--- error_code: 400
--- response_body_like: truncated



=== TEST 4: a corrupt header
--- raw_request eval
my $png = PrismTest::image('png-rgb.png');
substr($png, 12, 4) = 'XXXX';    # the IHDR chunk type
PrismTest::upload_request(POST => '/upload', $png)
--- error: invalid_image
--- error_code: 400



=== TEST 5: text claiming to be a JPEG
--- raw_request eval
PrismTest::upload_request(POST => '/upload', "hello, this is not an image\n" x 20,
                          'Content-Type: image/jpeg')
--- error: unsupported_type
--- error_code: 415



=== TEST 6: a GIF where "prism_types" allows only JPEG, PNG and WebP
--- config
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_types jpeg png webp;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status {
        prism_status json;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('gif-still.gif'), 'Content-Type: image/png')
--- error: type_not_allowed
--- error_code: 415
--- response_body_like: image/gif



=== TEST 7: a pixel bomb: a small file declaring 30000 x 30000 pixels
--- raw_request eval
PrismTest::upload_request(POST => '/upload', main::jpeg_header(30000, 30000, 2000))
--- error: too_many_pixels
--- error_code: 413
--- response_body_like: 30000x30000



=== TEST 8: just over the pixel limit (1000 x 1001)
--- raw_request eval
PrismTest::upload_request(POST => '/upload', main::jpeg_header(1000, 1001, 100))
--- error: too_many_pixels
--- error_code: 413



=== TEST 8b: a HEIF pixel bomb: an AVIF whose ispe declares 100000 x 100000
--- raw_request eval
my $avif = PrismTest::image('avif-64x48.avif');
substr($avif, index($avif, 'ispe') + 8, 8) = pack('NN', 100000, 100000);
PrismTest::upload_request(POST => '/upload', $avif)
--- error: too_many_pixels
--- error_code: 413
--- response_body_like: 100000x100000



=== TEST 8c: a HEIC whose meta box overruns the file is corrupt
--- raw_request eval
my $heic = PrismTest::image('heic-64x48.heic');
substr($heic, index($heic, 'meta') - 4, 4) = pack('N', 0x00100000);
PrismTest::upload_request(POST => '/upload', substr($heic, 0, 2000))
--- error: invalid_image
--- error_code: 400



=== TEST 9: a declared length over prism_max_bytes is refused before the body is read
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png') . ("\0" x (70 * 1024)))
--- error: too_large
--- error_code: 413
--- response_body_like: the limit is 65536



=== TEST 10: a chunked body growing over prism_max_bytes is refused while it arrives
--- raw_request eval
my $body = PrismTest::image('png-rgb.png') . ("\0" x (200 * 1024));
my $req = "POST /upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
          . "Transfer-Encoding: chunked\r\n\r\n";
for (my $i = 0; $i < length $body; $i += 8192) {
    my $chunk = substr($body, $i, 8192);
    $req .= sprintf("%x\r\n", length $chunk) . $chunk . "\r\n";
}
"$req" . "0\r\n\r\n"
--- error: too_large
--- error_code: 413
--- error_log
prism: upload refused while reading the body: the upload is over the limit of 65536 bytes



=== TEST 11: a pixel bomb in a large body is refused after its first bytes
--- config
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_max_pixels 1000000;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status {
        prism_status json;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', main::jpeg_header(20000, 20000, 4 * 1024 * 1024))
--- error: too_many_pixels
--- error_code: 413
--- error_log
prism: upload refused while reading the body: the image is 20000x20000 pixels



=== TEST 12: GET is not an upload
--- request
GET /upload
--- error: method_not_allowed
--- error_code: 405
--- response_headers
Allow: POST, PUT



=== TEST 13: a key template fed by the client refuses unsafe keys
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_key_template "$arg_album/{id}.{ext}";
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status {
        prism_status json;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload?album=../../etc', PrismTest::image('jpeg-gray.jpg'))
--- error: invalid_key
--- error_code: 400



=== TEST 14: a header larger than 1 MiB is not looked for forever
--- config
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status {
        prism_status json;
    }
--- raw_request eval
# an APP1 segment chain that never reaches a frame header
my $seg = "\xff\xe1" . pack('n', 65535) . ("\x11" x 65533);
PrismTest::upload_request(POST => '/upload', "\xff\xd8" . ($seg x 20))
--- error: invalid_image
--- error_code: 400
--- response_body_like: larger than 1048576 bytes

