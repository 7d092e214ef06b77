# Self-test of the Test::Nginx::Socket compatible runner (t/lib) against a
# stock nginx: every block here must pass.  Only portable features are used,
# so this file also passes under openresty's real Test::Nginx::Socket.
# Deliberately failing blocks are checked by 001-runner-meta.t.

use Test::Nginx::Socket;

repeat_each(2);

# tests per repetition, summed over the blocks below (see "# N tests")
plan tests => repeat_each() * 51;

no_shuffle();   # TEST 13 relies on the nginx of TEST 12
no_long_string();

# The real Test::Nginx does not set this one; suites set it themselves.
$ENV{TEST_NGINX_HTML_DIR} ||= html_dir();

run_tests();

__DATA__

=== TEST 1: plain response body, no errors logged
# 3 tests
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
GET /t
--- response_body
hello
--- no_error_log
[error]



=== TEST 2: missing file: 404 and the open() error in error.log
# 4 tests
--- config
    # the default "location /" serves the html dir
--- request
GET /no-such-file.html
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log
open() "
no-such-file.html" failed



=== TEST 3: response headers, present and absent
# 5 tests
--- config
    location = /h {
        add_header X-Prism yes;
        default_type text/html;
        return 200 "ok\n";
    }
--- request
GET /h
--- response_headers
X-Prism: yes
Content-Type: text/html
!X-Missing
--- response_body
ok



=== TEST 4: response_headers_like, raw headers, response_body_unlike
# 5 tests
--- config
    location = /h {
        return 200 "some body\n";
    }
--- request
GET /h
--- response_headers_like
Server: nginx(/\d+\.\d+\.\d+)?
Content-Length: \d+
--- raw_response_headers_like: ^HTTP/1\.1 200 OK\r\n
--- response_body_unlike: error



=== TEST 5: request eval and more_headers
# 2 tests
--- config
    location = /echo {
        return 200 "foo=$http_x_foo len=$content_length method=$request_method args=$args\n";
    }
--- more_headers
X-Foo: bar
--- request eval
"GET /echo?a=1"
--- response_body
foo=bar len= method=GET args=a=1



=== TEST 6: request body after the request line (trimmed, Content-Length)
# 2 tests
--- config
    location = /echo {
        return 200 "len=$content_length method=$request_method\n";
    }
--- request
# a comment before the request line is allowed
POST /echo
hello world
--- response_body
len=11 method=POST



=== TEST 7: chunked request body (no Content-Length added)
# 2 tests
--- config
    location = /echo {
        return 200 "len=$content_length te=$http_transfer_encoding\n";
    }
--- more_headers
Transfer-Encoding: chunked
--- request eval
"POST /echo\n5\r\nhello\r\n0\r\n\r\n"
--- response_body_like chomp
^len=0? te=chunked$



=== TEST 8: redirect, error_code and $ServerPort in expected headers
# 2 tests
--- config
    location = /old {
        return 301 /new;
    }
--- request
GET /old
--- error_code: 301
--- response_headers
Location: http://localhost:$ServerPort/new



=== TEST 9: chunked response (SSI) built from user_files
# 3 tests
--- user_files
>>> ssi/page.html
before <!--# echo var="arg_x" --> after
--- config
    location /ssi/ {
        ssi on;
        ssi_types *;
        root $TEST_NGINX_HTML_DIR;
    }
--- request
GET /ssi/page.html?x=42
--- response_headers
Transfer-Encoding: chunked
--- response_body
before 42 after



=== TEST 10: error_log / no_error_log with eval arrays and regexes
# 5 tests
--- config
    location = /denied {
        deny all;
    }
--- request
GET /denied
--- error_code_like: ^403$
--- error_log eval
[qr/access forbidden by rule, client: 127\.0\.0\.1/, "[error]"]
--- no_error_log eval
[qr/\[emerg\]/, "[alert]"]



=== TEST 11: HTTP/1.0 HEAD request
# 2 tests
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
HEAD /t HTTP/1.0
--- response_body chomp
--- timeout: 2s
--- wait: 0.05



=== TEST 12: http_config, main_config and $TEST_NGINX_* expansion
# 2 tests
--- main_config
    env PRISM_SELFTEST_PORT=$TEST_NGINX_SERVER_PORT;
--- http_config
    map $arg_v $prism_mapped {
        default none;
        1       one;
    }
--- config
    location = /map {
        return 200 "$prism_mapped port=$TEST_NGINX_SERVER_PORT\n";
    }
--- request
GET /map?v=1
--- response_body
one port=$ServerPort



=== TEST 13: no --- config: the nginx of the previous block is reused
# 2 tests
--- request
GET /map?v=2
--- response_body
none port=$ServerPort



=== TEST 14: several requests in one block
# 6 tests (2 per request, and the log is checked after each request)
--- config
    location = /a { return 200 "a\n"; }
    location = /b { return 404; }
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[200, 404]
--- response_body_like eval
["^a\$", "404 Not Found"]
--- no_error_log
[error]



=== TEST 15: response_body eval and response_body_filters
# 2 tests
--- config
    location = /t {
        return 200 "Hello\n";
    }
--- request
GET /t
--- response_body_filters
uc
--- response_body eval
"HELLO\n"



=== TEST 16: skip_nginx skips the given number of tests
# 2 tests (skipped)
--- skip_nginx: 2: > 0.1.0
--- config
    location = /t { return 500; }
--- request
GET /t
--- response_body
never checked



=== TEST 17: --- SKIP blocks are not run at all
--- SKIP
--- config
    this is not even valid nginx configuration
--- request
GET /t



=== TEST 18: plain 404 for a location that does not exist, no emerg
# 2 tests
--- config
    location = /t { return 200; }
--- request
GET /nowhere
--- error_code: 404
--- no_error_log
[emerg]
