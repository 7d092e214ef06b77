# The image status lookup: "GET /images/<id>" reads the image's DynamoDB
# item (written here with the prism-ddb CLI, the way prism-host records
# its routes) on nginx's event loop and answers it as plain JSON, each
# derivative with a fetchable URL; unknown ids are 404, bad ids 400,
# other methods 405; DynamoDB unreachable, refusing, throttling or too
# slow are 502, 503 and 504 (faults made by stock nginx locations or a
# closed port), and a slow lookup stalls no other request.
#
# A derivative's URL is, by default, a SigV4 query-presigned GET of the
# S3 object (a private bucket serves it to any client until it expires,
# prism_lookup_url_expires, 15 minutes by default): the suite recomputes
# every signature from the test credentials and fetches one from the
# emulator.  With prism_derived_base_url it is a public (CDN) URL.
#
# Environment: TEST_NGINX_PRISM_MODULE (the module), TEST_NGINX_DYNAMODB_ENDPOINT
# (dynalite with the prism-images table), TEST_NGINX_PRISM_AWS (the
# prism-aws CLI: prism-ddb is built next to it).

use lib 't';
use StubStatus;
use Test::Nginx::Socket 'no_plan';

use Digest::SHA qw(hmac_sha256 hmac_sha256_hex sha256_hex);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use JSON::PP qw(decode_json encode_json);
use Time::HiRes qw(sleep time);

$ENV{TEST_NGINX_DYNAMODB_ENDPOINT} ||= 'http://127.0.0.1:4567';

# nginx reads "prism_credentials env" keys from its environment, prism-ddb
# reads them and the region; the emulator checks neither.
$ENV{AWS_ACCESS_KEY_ID}     ||= 'AKIDPRISMTEST';
$ENV{AWS_SECRET_ACCESS_KEY} ||= 'prism-test-secret';
$ENV{AWS_REGION}            ||= 'us-east-1';

die "TEST_NGINX_PRISM_AWS is not set\n" unless $ENV{TEST_NGINX_PRISM_AWS};
our $Ddb = dirname($ENV{TEST_NGINX_PRISM_AWS}) . '/prism-ddb';

# A fresh UUID per run, so that runs do not see each other's items.
sub uuid {
    return sprintf '%08x-%04x-4%03x-%04x-%04x%08x', int(time) & 0xffffffff,
        int(rand 0x10000), int(rand 0x1000), 0x8000 | int(rand 0x4000),
        int(rand 0x10000), int(rand 0xffffffff);
}

our $Id      = uuid();
our $Sparse  = uuid();
our $Unknown = uuid();

# The item of an image whose thumbnail route (into its own bucket) and
# webp route (no bucket: the original's) succeeded and whose watermark
# route rejected it.
our %Record = (
    imageId     => $Id,
    bucket      => 'prism-ingest',
    key         => "2025/01/02/$Id.jpg",
    contentType => 'image/jpeg',
    width       => 1024,
    height      => 768,
    size        => 183211,
    sha256      => 'ab' x 32,
    uploadedAt  => '2025-01-02T03:04:05Z',
    routes      => {
        thumbnail => {
            status => 'ok', bucket => 'prism-derived', plugin => 'thumbnail',
            pluginVersion => '1.2.0', at => '2025-01-02T03:04:07Z',
            outputs => [
                { key => "thumbnail/$Id-256.jpg", size => 9021, width => 256,
                  height => 192, contentType => 'image/jpeg' },
                { key => "thumbnail/$Id 64+.jpg", size => 1333, width => 64,
                  height => 48, contentType => 'image/jpeg' },
            ],
        },
        webp => {
            status => 'ok', plugin => 'webp', pluginVersion => '1.0.1',
            at => '2025-01-02T03:04:06Z',
            outputs => [ { key => "webp/$Id.webp", size => 40112, width => 1024,
                           height => 768, contentType => 'image/webp' } ],
        },
        watermark => {
            status => 'rejected', plugin => 'watermark', pluginVersion => '0.9.0',
            at => '2025-01-02T03:04:06Z', reason => 'unsupported: CMYK',
        },
    },
);

# An item with parts missing or of other shapes than the lookup expects.
our %SparseRecord = (
    imageId => $Sparse,
    routes  => {
        broken   => 'not a map',
        noouts   => { status => 'ok', outputs => 'none' },
        nobucket => { status => 'ok', outputs => [ { size => 1 }, { key => 'k/x.jpg' }, 7 ] },
    },
);

# Writes ITEM (plain JSON) into prism-images with one UpdateItem through
# the CLI.  Dies when it fails.
sub put_item {
    my (%item) = @_;
    my $id = delete $item{imageId};
    my (@set, %names, %values);
    my $n = 0;
    for my $name (sort keys %item) {
        push @set, "#n$n = :v$n";
        $names{"#n$n"} = $name;
        $values{":v$n"} = $item{$name};
        $n++;
    }
    my @cmd = ($Ddb, '--dynamodb-endpoint-url', $ENV{TEST_NGINX_DYNAMODB_ENDPOINT},
               'update', 'prism-images', '--plain',
               '--key', encode_json({ imageId => $id }),
               '--update', 'SET ' . join(', ', @set),
               '--names', encode_json(\%names), '--values', encode_json(\%values));
    open my $out, '-|', @cmd or die "cannot run $Ddb: $!\n";
    my $res = do { local $/; <$out> };
    close $out or die "prism-ddb update failed ($?): $res\n";
}

put_item(%Record);
put_item(%SparseRecord);

# The webp derivative exists in the emulator (the original's bucket), so
# its presigned URL can be fetched.
our $WebpBytes = "RIFF webp derivative of $Id\n";
{
    my $dir = tempdir(CLEANUP => 1);
    open my $fh, '>', "$dir/webp" or die "$dir/webp: $!";
    print $fh $WebpBytes;
    close $fh;
    local $ENV{PRISM_AWS_ENDPOINT} = $ENV{TEST_NGINX_AWS_ENDPOINT}
        // die "TEST_NGINX_AWS_ENDPOINT is not set\n";
    system($ENV{TEST_NGINX_PRISM_AWS}, 's3', 'put', 'prism-ingest', "webp/$Id.webp",
           "$dir/webp", '--content-type', 'image/webp') == 0
        or die "putting the webp derivative failed\n";
}

# RFC 3986 encoding of everything but the unreserved characters (and
# "/" when SLASH is true), as SigV4 canonicalises names and values.
sub uri_encode {
    my ($s, $slash) = @_;
    my $keep = $slash ? 'A-Za-z0-9\-._~/' : 'A-Za-z0-9\-._~';
    $s =~ s{([^$keep])}{sprintf '%%%02X', ord $1}ge;
    return $s;
}

sub uri_decode { my ($s) = @_; $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; return $s }

# Checks URL against the SigV4 query-signing rules for a GET of an S3
# object with the test credentials: the X-Amz-* parameters (EXPIRES
# seconds), and X-Amz-Signature recomputed here (canonical request with
# the path as sent, the sorted query without the signature, "host" the
# only signed header, UNSIGNED-PAYLOAD).  Returns a list of problems
# (empty when the URL is right).
sub presign_problems {
    my ($url, $expires) = @_;
    my ($scheme, $host, $path, $query) = $url =~ m{^(https?)://([^/?]+)(/[^?]*)\?(.*)$}
        or return ("not a URL with a query: $url");
    my %q = map { my ($k, $v) = split /=/, $_, 2; (uri_decode($k) => uri_decode($v // '')) }
            split /&/, $query;
    my @problems;
    my ($date) = ($q{'X-Amz-Date'} // '') =~ /^(\d{8})T\d{6}Z$/
        or push @problems, "X-Amz-Date \"" . ($q{'X-Amz-Date'} // '') . '"';
    $date //= '';
    my $scope = "$date/$ENV{AWS_REGION}/s3/aws4_request";
    my %want = ('X-Amz-Algorithm' => 'AWS4-HMAC-SHA256',
                'X-Amz-Credential' => "$ENV{AWS_ACCESS_KEY_ID}/$scope",
                'X-Amz-Expires' => $expires, 'X-Amz-SignedHeaders' => 'host');
    for my $k (sort keys %want) {
        push @problems, "$k is \"" . ($q{$k} // '(none)') . "\", not \"$want{$k}\""
            unless ($q{$k} // '') eq $want{$k};
    }
    push @problems, 'no X-Amz-Signature' unless ($q{'X-Amz-Signature'} // '') =~ /^[0-9a-f]{64}$/;
    my $canonical_query = join '&', map { uri_encode($_) . '=' . uri_encode($q{$_}) }
                                    sort grep { $_ ne 'X-Amz-Signature' } keys %q;
    my $creq = join "\n", 'GET', uri_encode(uri_decode($path), 1), $canonical_query,
                          "host:$host", '', 'host', 'UNSIGNED-PAYLOAD';
    my $sts = join "\n", 'AWS4-HMAC-SHA256', $q{'X-Amz-Date'} // '', $scope, sha256_hex($creq);
    my $key = "AWS4$ENV{AWS_SECRET_ACCESS_KEY}";
    $key = hmac_sha256($_, $key) for $date, $ENV{AWS_REGION}, 's3', 'aws4_request';
    my $sig = hmac_sha256_hex($sts, $key);
    push @problems, "X-Amz-Signature is not $sig" if ($q{'X-Amz-Signature'} // '') ne $sig;
    return @problems;
}

# Checks every derivative URL of RECORD as presigned for EXPIRES seconds
# (one test each), then removes the query so that the record compares
# with expected_record's.
sub check_presigned {
    my ($name, $record, $expires) = @_;
    for my $route (sort keys %{ $record->{routes} || {} }) {
        my $outputs = $record->{routes}{$route}{outputs};
        next unless ref $outputs eq 'ARRAY';
        for my $out (@$outputs) {
            next unless ref $out eq 'HASH' && defined $out->{url};
            my @problems = presign_problems($out->{url}, $expires);
            is_deeply(\@problems, [], "$name - $route: $out->{key}: a presigned URL")
                or diag $out->{url};
            $out->{url} =~ s/\?.*//s;
        }
    }
}

# The record the lookup should answer: the item with "url" added next to
# each derivative key: PREFIX (a function of the output's bucket: the
# route's, else the original's) followed by the encoded key.
sub expected_record {
    my ($prefix) = @_;
    my $rec = decode_json(encode_json(\%Record));
    for my $route (values %{ $rec->{routes} }) {
        my $bucket = $route->{bucket} // $rec->{bucket};
        for my $out (@{ $route->{outputs} || [] }) {
            (my $key = $out->{key}) =~ s{([^A-Za-z0-9\-._~/])}{sprintf '%%%02X', ord $1}ge;
            $out->{url} = $prefix->($bucket) . $key;
        }
    }
    return $rec;
}

# The slow lookup of the event-loop test, and its socket.
our $Slow;

# Sends "GET PATH" on a connection of its own and leaves the answer
# unread; returns the socket.
sub start_request {
    my ($path) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => Test::Nginx::Util::server_port(),
                                     Timeout => 5)
        or die "cannot connect to nginx: $!\n";
    print $sock "GET $path HTTP/1.0\r\nHost: localhost\r\n\r\n";
    return $sock;
}

# Reads the whole answer from SOCK within SECONDS; returns status and body
# (undef when it did not come in time).
sub read_answer {
    my ($sock, $seconds) = @_;
    my $sel = IO::Select->new($sock);
    my $deadline = time + $seconds;
    my $data = '';
    while (time < $deadline) {
        last unless $sel->can_read($deadline - time);
        my $n = sysread $sock, my $chunk, 65536;
        last unless $n;
        $data .= $chunk;
    }
    return unless $data =~ m{^HTTP/1\.\d (\d+).*?\r\n\r\n(.*)}s;
    return ($1, $2);
}

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;

    if (defined(my $want = $block->record)) {
        my $got = eval { decode_json($body) };
        check_presigned($name, $got, $block->presigned) if defined $block->presigned;
        is_deeply($got, $want, "$name - the record, with derivative URLs");
    }

    if (defined $block->fetch_webp) {
        my $got = eval { decode_json($body) } // {};
        my $url = $got->{routes}{webp}{outputs}[0]{url} // '';
        my $res = HTTP::Tiny->new(timeout => 10)->get($url);
        is($res->{status}, 200, "$name - the presigned URL fetches the derivative");
        is($res->{content}, $WebpBytes, "$name - its bytes");
    }

    if (defined(my $want = $block->error)) {
        my @codes = ref $want ? @$want : ($want);
        my $got = eval { decode_json($body) } || {};
        is($got->{error}, $codes[$req_idx], "$name - error code");
        like($got->{message} // '', qr/\S/, "$name - error message");
    }

    if (defined $block->slow_lookup) {
        my $sel = IO::Select->new($Slow);
        ok(!$sel->can_read(0), "$name - the lookup was still pending when /fast answered");
        my ($status, $slow_body) = read_answer($Slow, 15);
        is($status, 200, "$name - the slow lookup then answered");
        my $got = eval { decode_json($slow_body) };
        check_presigned($name, $got, 900);
        is_deeply($got, $block->slow_lookup, "$name - with the record");
    }
});

run_tests();

__DATA__

=== TEST 1: a known image: its record as plain JSON, derivative URLs presigned on the S3 endpoint, path-style, for 15 minutes by default
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_s3_endpoint http://s3.prism.test:9000;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
"GET /images/$main::Id"
--- error_code: 200
--- response_headers
Content-Type: application/json
Cache-Control: no-store
--- record eval
main::expected_record(sub { "http://s3.prism.test:9000/$_[0]/" })
--- presigned: 900
--- no_error_log eval
[qr/\[(error|alert|emerg)\]/]



=== TEST 1b: prism_lookup_url_expires; the presigned URL fetches the object from the emulator
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
--- config
    prism_lookup_url_expires 10m;
    location /images/ {
        prism_lookup;
    }
--- request eval
"GET /images/$main::Id"
--- error_code: 200
--- record eval
main::expected_record(sub { "$ENV{TEST_NGINX_AWS_ENDPOINT}/$_[0]/" })
--- presigned: 600
--- fetch_webp
--- no_error_log eval
[qr/\[(error|alert|emerg)\]/]



=== TEST 2: HEAD: the same headers, no body
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
"HEAD /images/$main::Id"
--- error_code: 200
--- response_headers
Content-Type: application/json
Cache-Control: no-store
--- response_body
--- no_error_log
[alert]
[emerg]



=== TEST 3: prism_derived_base_url with variables; the id from a regex location's capture
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
    prism_dynamodb_table prism-images;
--- config
    prism_derived_base_url https://cdn.prism.test/$arg_v;
    location ~ ^/v2/images/(?<image>[^/]+)/status$ {
        prism_lookup $image;
    }
--- request eval
"GET /v2/images/$main::Id/status?v=derived"
--- error_code: 200
--- record eval
main::expected_record(sub { 'https://cdn.prism.test/derived/' })



=== TEST 4: a record with parts missing or of other shapes is answered as it is
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
--- config
    location /images {
        prism_lookup;
    }
--- request eval
"GET /images/$main::Sparse"
--- error_code: 200
--- record eval
+{ %main::SparseRecord }



=== TEST 5: an unknown image id: 404 JSON
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
"GET /images/$main::Unknown"
--- error_code: 404
--- response_headers
Content-Type: application/json
Cache-Control: no-store
--- error: not_found
--- no_error_log
[error]



=== TEST 6: ids that are empty, too long, with other characters or more path: 400 JSON, DynamoDB is not asked
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / { return 500 "asked\n"; }
    }
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
["GET /images/", "GET /images/" . ('a' x 129), "GET /images/bad%20id", "GET /images/a/b",
 "GET /images/a:b"]
--- error_code eval
[400, 400, 400, 400, 400]
--- error eval
[('invalid_id') x 5]
--- no_error_log
prism: looking up image



=== TEST 7: other methods: 405 JSON with Allow
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
["POST /images/$main::Id\nsome body", "DELETE /images/$main::Id"]
--- error_code eval
[405, 405]
--- response_headers eval
[("Allow: GET, HEAD\nCache-Control: no-store\nContent-Type: application/json") x 2]
--- error eval
[('method_not_allowed') x 2]



=== TEST 8: DynamoDB on a closed port: retried, then 502 JSON
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_2;
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
"GET /images/$main::Id"
--- error_code: 502
--- response_headers
Cache-Control: no-store
--- error: lookup_failed
--- error_log
prism: dynamodb POST attempt 1 failed, retrying in
prism: looking up image
--- no_error_log
[alert]
[emerg]
--- timeout: 10



=== TEST 9: DynamoDB too slow: 504 JSON within prism_lookup_timeout
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            limit_rate 1;
            default_type application/x-amz-json-1.0;
            return 200 '{"Item":{"imageId":{"S":"never-complete"}}}';
        }
    }
--- config
    location /images/ {
        prism_lookup;
        prism_lookup_timeout 1s;
    }
--- request eval
"GET /images/$main::Id"
--- error_code: 504
--- error: lookup_timeout
--- error_log
prism: looking up image
--- no_error_log
[alert]
[emerg]
--- timeout: 10



=== TEST 10: DynamoDB answers 500: retried, then 503 JSON
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/x-amz-json-1.0;
        location / {
            return 500 '{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}';
        }
    }
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
"GET /images/$main::Id"
--- error_code: 503
--- error: lookup_unavailable
--- response_body_like: InternalServerError
--- error_log
prism: dynamodb POST attempt 1 failed, retrying in
--- no_error_log
[alert]
[emerg]
--- timeout: 10



=== TEST 11: throttled on every attempt: retried, then 503 JSON
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type application/x-amz-json-1.0;
        location / {
            return 400 '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}';
        }
    }
--- config
    location /images/ {
        prism_lookup;
    }
--- request eval
"GET /images/$main::Id"
--- error_code: 503
--- error: lookup_unavailable
--- response_body_like: ProvisionedThroughputExceededException
--- error_log
prism: dynamodb POST attempt 1 failed, retrying in
--- timeout: 10



=== TEST 12: a table that does not exist: DynamoDB refuses, no retry, 502 JSON
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint $TEST_NGINX_DYNAMODB_ENDPOINT;
--- config
    location /images/ {
        prism_dynamodb_table prism-no-such-table;
        prism_lookup;
    }
--- request eval
"GET /images/$main::Id"
--- error_code: 502
--- error: lookup_failed
--- response_body_like: ResourceNotFoundException
--- error_log
prism: looking up image
--- no_error_log
attempt 1 failed, retrying



=== TEST 13: a slow lookup stalls no other request of the worker; URLs on AWS's S3 are virtual-hosted
--- http_config
    prism_region us-east-1;
    prism_credentials env;
    prism_dynamodb_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            limit_rate 600;
            proxy_pass $TEST_NGINX_DYNAMODB_ENDPOINT;
        }
    }
--- config
    location /images/ {
        prism_lookup;
    }
    location /fast { return 200 "fast\n"; }
    location = /nginx-status { stub_status; }
--- init
$main::Slow = main::start_request("/images/$main::Id");
# the lookup is waiting on the slow DynamoDB answer: it, the slow server's
# request and the status request itself are all in progress
StubStatus::wait_requests_in_progress(Test::Nginx::Util::server_port(), '/nginx-status', 3)
    or die "the lookup never reached DynamoDB\n";
--- request
GET /fast
--- response_body
fast
--- slow_lookup eval
main::expected_record(sub { "https://$_[0].s3.us-east-1.amazonaws.com/" })
--- timeout: 20
--- no_error_log
[error]



=== TEST 14: prism_lookup without an id in a regex location
--- http_config
    prism_region us-east-1;
--- config
    location ~ ^/images/ {
        prism_lookup;
    }
--- must_die
--- error_log
"prism_lookup" without an image id needs a prefix location



=== TEST 14b: prism_lookup_url_expires out of range (1 s to 7 days)
--- http_config
    prism_region us-east-1;
--- config
    prism_lookup_url_expires 8d;
    location /images/ {
        prism_lookup;
    }
--- must_die
--- error_log
prism: invalid value "8d" in "prism_lookup_url_expires" directive, expected 1s to 7d



=== TEST 14c: prism_lookup_url_expires that is not a time
--- http_config
    prism_region us-east-1;
--- config
    prism_lookup_url_expires soon;
    location /images/ {
        prism_lookup;
    }
--- must_die
--- error_log
prism: invalid value "soon" in "prism_lookup_url_expires" directive, expected 1s to 7d



=== TEST 15: a bad table name
--- http_config
    prism_region us-east-1;
--- config
    location /images/ {
        prism_dynamodb_table "a b";
        prism_lookup;
    }
--- must_die
--- error_log
prism: invalid value "a b" in "prism_dynamodb_table" directive



=== TEST 16: a DynamoDB endpoint with a path
--- http_config
    prism_dynamodb_endpoint http://127.0.0.1:4567/db;
--- config
--- must_die
--- error_log
prism: invalid value "http://127.0.0.1:4567/db" in "prism_dynamodb_endpoint" directive, expected http(s)://host[:port]
