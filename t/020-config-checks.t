# Configurations that "nginx -t" accepted although every request (or every
# upload of some sizes) would fail: refused with an error, or announced
# with a warning where nginx itself would only warn.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

# workers of their own, so that the worker user counts
master_on();

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

run_tests();

__DATA__

=== TEST 1: a prism_local_dir below a regular file
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_local_dir $TEST_NGINX_DATA/images/jpeg-baseline-420.jpg/store;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log eval
qq{prism: "prism_local_dir" "$ENV{TEST_NGINX_DATA}/images/jpeg-baseline-420.jpg/store" cannot be created: "$ENV{TEST_NGINX_DATA}/images/jpeg-baseline-420.jpg" is not a directory}



=== TEST 2: a prism_local_dir the worker user cannot write in
--- main_config
    user nobody nogroup;
    load_module $TEST_NGINX_PRISM_MODULE;
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_local_dir $TEST_NGINX_DATA/store;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log eval
qq{prism: "prism_local_dir" "$ENV{TEST_NGINX_DATA}/store": the worker user "nobody" cannot write in "$ENV{TEST_NGINX_DATA}"}



=== TEST 3: a missing prism_local_dir under a writable directory is created by the first upload
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_local_dir html/store/originals;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 201
--- no_error_log
cannot write in
[error]



=== TEST 4: a credentials file that does not exist
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials profile uploader ../html/no-such-credentials;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log eval
qr{prism: cannot read the credentials file "\S+/html/no-such-credentials" of "prism_credentials profile uploader"}



=== TEST 5: prism_publish_timeout 0
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        prism_publish_timeout 0;
    }
--- must_die
--- error_log
prism: "prism_publish_timeout" must be more than 0



=== TEST 6: client_max_body_size below prism_max_bytes
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        client_max_body_size 1m;
        prism_upload on;
        prism_max_bytes 20m;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- request
GET /nothing
--- error_code: 404
--- error_log
prism: "client_max_body_size" 1048576 is below "prism_max_bytes" 20971520: nginx answers uploads between the two with its own 413



=== TEST 7: prism_max_bytes 0 (no limit) under a client_max_body_size
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        client_max_body_size 1m;
        prism_upload on;
        prism_max_bytes 0;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- request
GET /nothing
--- error_code: 404
--- error_log
prism: "client_max_body_size" 1048576 is below "prism_max_bytes" 0



=== TEST 8: prism_max_bytes within client_max_body_size is quiet
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        client_max_body_size 30m;
        prism_upload on;
        prism_max_bytes 20m;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- request
GET /nothing
--- error_code: 404
--- no_error_log
client_max_body_size



=== TEST 9: prism_upload and proxy_pass in one location
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/elsewhere;
    }
--- must_die
--- error_log
prism: "prism_upload" and another content handler (such as "proxy_pass") in the same location



=== TEST 10: proxy_pass before prism_upload
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/elsewhere;
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log
prism: "prism_upload" and another content handler (such as "proxy_pass") in the same location
