# multipart/form-data uploads (what a browser form sends): the file part is
# located in the body, hashed and stored alone; other fields become S3
# user metadata; malformed forms are refused with JSON errors.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use JSON::PP qw(decode_json);
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
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
CONFIG
});

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    if (defined $block->created) {
        my $res = check_created($name, $body, $block->created) or return;
        if (defined $block->metadata) {
            my ($rc, $out) = aws('s3', 'head', $res->{bucket}, $res->{key});
            my $head = eval { decode_json($out) } // {};
            # every original carries its image id for prism-host, then the form's fields
            is_deeply($head->{metadata}, { 'prism-image-id' => $res->{imageId}, %{ $block->metadata } },
                      "$name - S3 user metadata");
        }
    }
    if (defined $block->error) {
        check_error($name, $body, $block->error);
    }
});

run_tests();

__DATA__

=== TEST 1: a browser form: one file and text fields
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('----WebKitFormBoundary7MA4YWxkTrZu0gW',
        [title => 'Sunset over the bay'],
        [photo => PrismTest::image('jpeg-baseline-420.jpg'), 'C:\\Users\\me\\sunset.jpg', 'image/jpeg'],
        [album => 'holidays-2024']),
    'Content-Type: multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW')
--- created eval
+{ bytes => PrismTest::image('jpeg-baseline-420.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- metadata eval
+{ title => 'Sunset over the bay', album => 'holidays-2024' }
--- error_code: 201
--- no_error_log
[error]



=== TEST 2: the client's part Content-Type is not trusted
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('xyz', [file => PrismTest::image('png-gray.png'), 'gray.jpg', 'image/jpeg']),
    'Content-Type: multipart/form-data; boundary="xyz"')
--- created eval
+{ bytes => PrismTest::image('png-gray.png'), type => 'image/png', width => 150, height => 91 }
--- metadata eval
+{}
--- error_code: 201
--- no_error_log
[error]



=== TEST 3: an empty file input next to the real one is ignored
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary',
        [other => '', '', 'application/octet-stream'],
        [file => PrismTest::image('webp-lossy.webp'), 'a.webp', 'image/webp']),
    'Content-Type: multipart/form-data; boundary=b0undary')
--- created eval
+{ bytes => PrismTest::image('webp-lossy.webp'), type => 'image/webp', width => 150, height => 91 }
--- error_code: 201
--- no_error_log
[error]



=== TEST 4: field values S3 cannot carry, and a field posing as the image id, are left out of the metadata
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary',
        [caption => "caf\xc3\xa9"],
        ['bad name' => 'x'],
        ['prism-image-id' => 'forged'],
        ['Prism-Image-Id' => 'someone-else'],
        [credit => 'ACME Photo'],
        [file => PrismTest::image('jpeg-progressive.jpg'), 'p.jpg']),
    'Content-Type: multipart/form-data; boundary=b0undary')
--- created eval
+{ bytes => PrismTest::image('jpeg-progressive.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- metadata eval
+{ credit => 'ACME Photo' }
--- error_code: 201
--- no_error_log
[error]



=== TEST 5: two files
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary',
        [a => PrismTest::image('jpeg-gray.jpg'), 'a.jpg'],
        [b => PrismTest::image('png-rgb.png'), 'b.png']),
    'Content-Type: multipart/form-data; boundary=b0undary')
--- error: malformed_body
--- error_code: 400
--- response_body_like: more than one file



=== TEST 6: no file
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary', [title => 'nothing attached']),
    'Content-Type: multipart/form-data; boundary=b0undary')
--- error: malformed_body
--- error_code: 400
--- response_body_like: no file



=== TEST 7: a form Content-Type without a boundary
--- raw_request eval
PrismTest::upload_request(POST => '/upload', "--x\r\n", 'Content-Type: multipart/form-data')
--- error: malformed_body
--- error_code: 400
--- response_body_like: boundary



=== TEST 8: a form without its closing boundary
--- raw_request eval
my $form = PrismTest::form_body('b0undary', [file => PrismTest::image('jpeg-gray.jpg'), 'a.jpg']);
$form =~ s/--b0undary--\r\n$//;
PrismTest::upload_request(POST => '/upload', $form,
    'Content-Type: multipart/form-data; boundary=b0undary')
--- error: malformed_body
--- error_code: 400
--- no_error_log
[error]



=== TEST 9: a form whose file is not an image
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary', [file => "%PDF-1.4\n" . ("x" x 4000), 'a.jpg', 'image/jpeg']),
    'Content-Type: multipart/form-data; boundary=b0undary')
--- error: unsupported_type
--- error_code: 415



=== TEST 10: a form whose file is empty
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary', [file => 'x', 'a.jpg']) =~ s/\r\n\r\nx\r\n/\r\n\r\n\r\n/r,
    'Content-Type: multipart/form-data; boundary=b0undary')
--- error_code: 400
--- error: empty_body



=== TEST 11: a form whose file is over prism_max_bytes
--- config
    location /upload {
        prism_upload on;
        prism_max_bytes 2k;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary', [file => PrismTest::image('jpeg-baseline-420.jpg'), 'a.jpg']),
    'Content-Type: multipart/form-data; boundary=b0undary')
--- error: too_large
--- error_code: 413
