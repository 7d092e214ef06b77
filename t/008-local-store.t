# Local storage: the original appears atomically in prism_local_dir under
# its key (a raw body's temporary file is renamed, a form's file is copied
# out then renamed), the event says where; a failed publish removes it.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use File::Find ();
use File::Path ();
use PrismTest;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
    # each block starts with an empty store
    $block->set_value(init => "File::Path::remove_tree(main::store_dir());\n");
});

# under html/, which the runner removes before each block (as the real
# Test::Nginx does: it bails out on anything else left in the server root)
sub store_dir { Test::Nginx::Util::html_dir() . "/store" }

# The files under the store directory (temporary names included).
sub stored_files {
    my @files;
    File::Find::find(sub { push @files, $File::Find::name if -f }, store_dir()) if -d store_dir();
    return @files;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    if (defined $block->created) {
        my $want = { %{ $block->created }, store => 'local', dir => store_dir() };
        my $res = check_created($name, $body, $want) or return;
        my @files = stored_files();
        is(scalar @files, 1, "$name - one file in the store, no temporary one left");
        my $mode = (stat "$want->{dir}/$res->{key}")[2] // 0;
        is(sprintf('%o', $mode & 0777), '644', "$name - the file is readable by all");
    }
    if (defined $block->error) {
        check_error($name, $body, $block->error);
        is(scalar(stored_files()), 0, "$name - nothing is left in the store");
    }
});

run_tests();

__DATA__

=== TEST 1: a raw body is renamed into the store
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_local_dir html/store;
        prism_key_prefix originals/;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-orient-6.jpg'))
--- created eval
+{ bytes => PrismTest::image('jpeg-orient-6.jpg'), type => 'image/jpeg', width => 64, height => 40 }
--- error_code: 201
--- response_headers_like
Location: http://localhost:\d+/originals/\d{4}/\d\d/\d\d/[0-9a-f-]{36}\.jpg
--- no_error_log
[error]



=== TEST 2: a form's file is copied out of the body, then renamed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_local_dir html/store;
        prism_bucket photos;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload',
    PrismTest::form_body('b0undary', [note => 'local'],
                         [file => PrismTest::image('png-interlaced.png'), 'i.png']),
    'Content-Type: multipart/form-data; boundary=b0undary')
--- created eval
+{ bytes => PrismTest::image('png-interlaced.png'), type => 'image/png', width => 150, height => 91 }
--- error_code: 201
--- no_error_log
[error]



=== TEST 3: a failed publish removes the stored file
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_local_dir html/store;
        prism_publish_timeout 2s;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png'))
--- error: publish_unavailable
--- error_code: 503
--- response_body_like: the stored original was removed
--- timeout: 10



=== TEST 4: the same bytes under a repeating key: the second upload is a duplicate and its failed publish removes nothing
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    prism_store local;
    prism_local_dir html/store;
    prism_key_template "by-hash/{sha256}.{ext}";
    location /upload {
        prism_upload on;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /upload-unannounced {
        prism_upload on;
        prism_sns_topic_arn arn:aws:sns:us-east-1:$TEST_NGINX_AWS_ACCOUNT:no-such-topic;
    }
    location /by-hash/ {
        root html/store;
    }
--- request eval
my $img = PrismTest::image('png-rgb.png');
my $sha = Digest::SHA::sha256_hex($img);
["POST /upload\n$img", "POST /upload-unannounced\n$img", "GET /by-hash/$sha.png",
 "POST /upload-unannounced\n" . PrismTest::image('png-gray.png')]
--- error_code eval
[201, 200, 200, 502]
--- response_body_like eval
[qr/"key":"by-hash\/[0-9a-f]{64}\.png".*"messageId"/, qr/"key":"by-hash\/[0-9a-f]{64}\.png".*"duplicate":true\}$/,
 qr/^\x89PNG/, qr/"error":"publish_failed".*the stored original was removed/]
--- no_error_log
[crit]
