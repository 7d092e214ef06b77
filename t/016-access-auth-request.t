# Who may upload, with nginx's auth_request: an auth service (a second
# server in the test's own configuration, answering from the X-Token
# header) refuses with 401 / 403, which the client gets, and nothing is
# stored or published; a 2xx names the user in X-User, which
# auth_request_set takes into a variable that the key template and
# "prism_user" (the event's prism.userId and its user_id attribute) use.
# A user id that could leave its prefix ('/', "..", braces, spaces,
# control characters) is refused, never written into a key; so is any
# variable (a capture, ${name}) whose value is not one key segment.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;
use AccessTest;

our $Jpeg = PrismTest::image('jpeg-gray.jpg');

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
    $block->set_value(http_config => <<'HTTP') unless defined $block->http_config;
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    log_format prism '$status $prism_outcome $prism_key $prism_image_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /auth {
            if ($http_x_token = "") {
                return 401;
            }
            if ($http_x_token = "forbidden") {
                return 403;
            }
            add_header X-User $http_x_token;
            return 204;
        }
    }
HTTP
    $block->set_value(config => <<'CONFIG') unless defined $block->config;
    location = /upload {
        auth_request /_auth;
        auth_request_set $prism_user_id $upstream_http_x_user;
        prism_upload on;
        prism_bucket prism-ingest;
        prism_key_template "user-uploads/$prism_user_id/{id}.{ext}";
        prism_user $prism_user_id;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location = /_auth {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/auth;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
    }
CONFIG
});

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    if (defined(my $user = $block->user)) {
        check_user_upload($name, $body, $Jpeg, $block->key_prefix // "user-uploads/$user/",
                          $user);
    }
    check_refused($name, $block->refused) if defined $block->refused;
});

run_tests();

__DATA__

=== TEST 1: no token: the auth service's 401 reaches the client, nothing is stored
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg)
--- error_code: 401
--- refused: 401
--- no_error_log
[alert]



=== TEST 2: a token the auth service forbids: 403, nothing is stored
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, 'X-Token: forbidden')
--- error_code: 403
--- refused: 403



=== TEST 3: a user: the key is under the user's prefix, the event names the user
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, 'X-Token: alice-42')
--- error_code: 201
--- user: alice-42
--- no_error_log
[error]



=== TEST 4: a user id with '/' would write into another user's prefix: refused
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, 'X-Token: alice-42/x')
--- error_code: 400
--- response_body_like: "error":"invalid_key"
--- refused: 400
--- error_log
prism: cannot build the object key: the value of $prism_user_id holds a character not allowed



=== TEST 5: a user id with ".." is refused
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, 'X-Token: ..')
--- error_code: 400
--- response_body_like: "error":"invalid_key"
--- refused: 400



=== TEST 6: a user id with braces is a value, not a placeholder: refused
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, 'X-Token: x{sha256}')
--- error_code: 400
--- response_body_like: "error":"invalid_key"
--- refused: 400



=== TEST 7: a user id with a space is refused
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, "X-Token: a b")
--- error_code: 400
--- response_body_like: "error":"invalid_key"
--- refused: 400



=== TEST 8: a user id percent-encoded stays literal text, and '%' is refused
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, 'X-Token: a%2F..%2Fb')
--- error_code: 400
--- response_body_like: "error":"invalid_key"
--- refused: 400



=== TEST 9: "prism_user" alone (the key does not name the user): a user without X-User is refused
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    log_format prism '$status $prism_outcome $prism_key $prism_image_id';
--- config
    location = /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_user $http_x_user;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg)
--- error_code: 403
--- response_body_like: "error":"invalid_user"
--- refused: 403



=== TEST 10: "prism_user" refuses a user id with a control character (before the key is made)
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    log_format prism '$status $prism_outcome $prism_key $prism_image_id';
--- config
    location = /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_user $http_x_user;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, "X-User: a\x01b")
--- error_code: 403
--- response_body_like: "error":"invalid_user"
--- refused: 403



=== TEST 11: "prism_user" takes a user id a key could not hold (an e-mail address) into the event
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location = /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_key_template "user-uploads/{id}.{ext}";
        prism_user $http_x_user;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg, 'X-User: Ann Example <ann@example.com>')
--- error_code: 201
--- user: Ann Example <ann@example.com>
--- key_prefix: user-uploads/



=== TEST 12: captures and ${name} in a key template are values too: checked one by one
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    log_format prism '$status $prism_outcome $prism_key $prism_image_id';
--- config
    location ~ ^/upload/(?<album>[^/]+)/(.+)$ {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_key_prefix "albums/${album}-x/";
        prism_key_template "$2/{id}.{ext}";
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload/summer/day%2F2', $main::Jpeg)
--- error_code: 400
--- response_body_like: "error":"invalid_key"
--- refused: 400
--- error_log
the value of $2 holds a character not allowed in a key segment (0x2f)



=== TEST 13: captures and ${name} with values that are one segment each
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location ~ ^/upload/(?<album>[^/]+)/(.+)$ {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_key_prefix "albums/${album}-x/";
        prism_key_template "$2/{id}.{ext}";
        prism_user $album;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload/summer/day-2', $main::Jpeg)
--- error_code: 201
--- user: summer
--- key_prefix: albums/summer-x/day-2/
