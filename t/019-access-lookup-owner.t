# A lookup that shows users only their own images: "prism_lookup_owner"
# compares the record's owner (its userId, which prism-host records from
# the upload's "prism_user") with the requesting user, here the X-User an
# auth_request service (a second server in the test's configuration)
# returns for the X-Token header.  Another user's image, an image without
# an owner and a request without a user are answered 404 like an unknown
# id, so that ids do not reveal what exists.  Records are written into
# DynamoDB the way prism-host writes them.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use JSON::PP qw(decode_json);
use PrismTest;
use AccessTest;

$ENV{TEST_NGINX_DYNAMODB_ENDPOINT} ||= 'http://127.0.0.1:4567';

# Fresh ids per run, so that runs do not see each other's records.
sub uuid {
    return sprintf '%08x-%04x-4%03x-%04x-%012x', int(time) & 0xffffffff, $$ & 0xffff,
        int(rand 0x1000), 0x8000 | int(rand 0x4000), int(rand 2**40);
}

our $Alices  = uuid();
our $Nobodys = uuid();
our $Unknown = uuid();
record_original($Alices, 'alice');
record_original($Nobodys);

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n");
    $block->set_value(http_config => <<'HTTP');
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
    prism_derived_base_url https://img.example.com;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location = /auth {
            if ($http_x_token = "") {
                return 401;
            }
            add_header X-User $http_x_token;
            return 204;
        }
    }
HTTP
    $block->set_value(config => <<'CONFIG');
    location /images/ {
        auth_request /_auth;
        auth_request_set $prism_user_id $upstream_http_x_user;
        prism_lookup;
        prism_lookup_owner $prism_user_id;
    }
    location /all-images/ {
        prism_lookup;
    }
    location /images-of/ {
        prism_lookup;
        prism_lookup_owner $http_x_user;
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
    my $res = eval { decode_json($body) };
    if (defined(my $owner = $block->owner)) {
        is($res && $res->{userId}, $owner, "$name - the record names its owner");
        is($res && $res->{imageId}, $main::Alices, "$name - the image");
    }
    if ($block->not_found) {
        is($res && $res->{error}, 'not_found', "$name - error code");
        like($res && $res->{message}, qr/^no image "[0-9a-f-]{36}" is known$/,
             "$name - the same message as for an unknown id");
    }
});

run_tests();

__DATA__

=== TEST 1: alice looks up her own image
--- request eval
"GET /images/$main::Alices"
--- more_headers
X-Token: alice
--- error_code: 200
--- owner: alice
--- no_error_log
[error]



=== TEST 2: bob looks up alice's image: 404, as for an unknown id
--- request eval
"GET /images/$main::Alices"
--- more_headers
X-Token: bob
--- error_code: 404
--- not_found: 1
--- no_error_log
[error]



=== TEST 3: an unknown id: the same 404
--- request eval
"GET /images/$main::Unknown"
--- more_headers
X-Token: bob
--- error_code: 404
--- not_found: 1



=== TEST 4: an image without an owner is nobody's
--- request eval
"GET /images/$main::Nobodys"
--- more_headers
X-Token: alice
--- error_code: 404
--- not_found: 1



=== TEST 5: a user id that only starts like the owner's is another user
--- request eval
"GET /images/$main::Alices"
--- more_headers
X-Token: alic
--- error_code: 404
--- not_found: 1



=== TEST 6: no token: the auth service's 401
--- request eval
"GET /images/$main::Alices"
--- error_code: 401



=== TEST 7: an owner check whose value is empty finds nothing
--- request eval
"GET /images-of/$main::Alices"
--- error_code: 404
--- not_found: 1



=== TEST 8: a location without prism_lookup_owner shows any image
--- request eval
"GET /all-images/$main::Alices"
--- error_code: 200
--- owner: alice
