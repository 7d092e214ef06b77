# The image record and the completion events, with the real plugins: one
# upload event sent to the thumbnail, webp and watermark queues, consumed
# by two prism-host processes with different routes at the same time,
# leaves one DynamoDB item holding all three routes' derivatives (no
# attribute lost to the other process), and each route publishes a
# completion event with filterable attributes.  A corrupt image's record
# shows the reject reason.  The watermark route stores with "sse":
# "AES256": its PutObjects carry x-amz-server-side-encryption, as seen by
# a stock nginx recording proxy in front of the emulator (the emulator
# does not return the header).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use HTTP::Tiny;
use IO::Socket::INET;
use POSIX qw(strftime);
use Test::More;

my $DDB = $ENV{PRISM_DYNAMODB_ENDPOINT} || 'http://127.0.0.1:4567';
my $AWS = $ENV{PRISM_AWS_ENDPOINT} || 'http://127.0.0.1:4566';
my $http = HTTP::Tiny->new(timeout => 30);
my $tmp = tmpdir();

# ddb(ACTION, \%BODY): the decoded DynamoDB answer (dynalite wants a
# SigV4-shaped Authorization header but checks no signature); dies on an
# error answer.
sub ddb {
    my ($action, $body) = @_;
    my $date = strftime('%Y%m%dT%H%M%SZ', gmtime);
    my $r = $http->post("$DDB/", {
        headers => { 'X-Amz-Target' => "DynamoDB_20120810.$action",
                     'Content-Type' => 'application/x-amz-json-1.0', 'X-Amz-Date' => $date,
                     Authorization => 'AWS4-HMAC-SHA256 Credential=AKIDPRISMTEST/'
                         . substr($date, 0, 8) . '/us-east-1/dynamodb/aws4_request, '
                         . 'SignedHeaders=host;x-amz-date, Signature=0' },
        content => json()->encode($body) });
    die "DynamoDB $action: $r->{status} $r->{content}\n" unless $r->{success};
    return json()->decode($r->{content});
}

# plain(TYPED): DynamoDB typed JSON as plain Perl data.
sub plain {
    my ($v) = @_;
    my ($t, $x) = %$v;
    return $x + 0 if $t eq 'N';
    return { map { $_ => plain($x->{$_}) } keys %$x } if $t eq 'M';
    return [ map { plain($_) } @$x ] if $t eq 'L';
    return $x;
}

sub get_record {
    my ($table, $id) = @_;
    my $item = ddb('GetItem', { TableName => $table, Key => { imageId => { S => $id } },
                                ConsistentRead => JSON::PP::true })->{Item};
    return $item ? plain({ M => $item }) : undef;
}

BAIL_OUT("no DynamoDB emulator at $DDB: start it (scripts/local-aws.sh start)") unless $http->get("$DDB/")->{status} < 500
    && eval { ddb('ListTables', {}); 1 };
for my $p (qw(thumbnail webp watermark)) {
    plan skip_all => "build/plugins/$p.so not built" unless -f root() . "/build/plugins/$p.so";
}

# ---- resources ------------------------------------------------------------------------
my $table = uniq('images');
ddb('CreateTable', { TableName => $table, BillingMode => 'PAY_PER_REQUEST',
                     AttributeDefinitions => [{ AttributeName => 'imageId', AttributeType => 'S' }],
                     KeySchema => [{ AttributeName => 'imageId', KeyType => 'HASH' }] });
END { eval { ddb('DeleteTable', { TableName => $table }) } if $table }

my $bucket = uniq('rcb');
create_bucket($bucket);
my %q;
for my $r (qw(thumbnail webp watermark)) {
    $q{$r} = create_queue(uniq("rc-$r"), visibility => 20);
    $q{"$r-dlq"} = create_queue(uniq("rc-$r-dlq"));
}
my $doneq = create_queue(uniq('rc-done'));
my $topic = aws_setup('sns', 'create-topic', '--name', uniq('rc-done'));
ok($topic, "completion topic $topic");
aws_setup('sns', 'subscribe', '--topic-arn', $topic, '--queue-url', $doneq,
          '--attr', 'RawMessageDelivery=true');

# ---- the recording proxy (stock nginx) ----------------------------------------------
my $free_port = sub { IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)->sockport };
my $pport = $free_port->();
mkdir "$tmp/nginx";
(my $aws_hostport = $AWS) =~ s{^http://}{};
{
    open(my $f, '>', "$tmp/nginx/nginx.conf") or die;
    print $f <<"EOF";
daemon off;
master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 64; }
http {
    log_format sse '\$request_method \$uri sse=\$http_x_amz_server_side_encryption';
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$pport;
        access_log $tmp/nginx/access.log sse;
        client_max_body_size 0;
        location / {
            proxy_pass http://$aws_hostport;
            proxy_set_header Host \$http_host;
        }
    }
}
EOF
    close $f;
}
my $nginx = fork() // die;
if ($nginx == 0) {
    open(STDERR, '>>', "$tmp/nginx/stderr.log");
    exec('nginx', '-p', "$tmp/nginx", '-c', "$tmp/nginx/nginx.conf") or POSIX::_exit(127);
}
END { if ($nginx) { kill 'TERM', $nginx; waitpid($nginx, 0) } }
ok(wait_for(sub { IO::Socket::INET->new(PeerAddr => "127.0.0.1:$pport") }, 10),
   'recording proxy listening') or diag(host_log("$tmp/nginx/error.log"));

# ---- two hosts, different routes --------------------------------------------------------
my $creds = { access_key_id => 'AKIDPRISMTEST', secret_access_key => 'prism-test-secret' };
my %route = (
    thumbnail => { plugin_params => { sizes => [64, 128] } },
    webp      => { plugin_params => { quality => 70 } },
    watermark => { plugin_params => { logo => root() . '/tests/data/watermark/logo.png' },
                   sse => 'AES256' },
);
sub route_conf {
    my ($r) = @_;
    return { name => $r, queue_url => $q{$r}, dlq_url => $q{"$r-dlq"},
             plugin => root() . "/build/plugins/$r.so", plugin_params => $route{$r}{plugin_params},
             input => { buckets => [$bucket] }, output => { bucket => $bucket, prefix => 'd/', ($route{$r}{sse} ? (sse => $route{$r}{sse}) : ()) },
             completion_topic_arn => $topic, concurrency => 2, wait_time_seconds => 1 };
}
my $conf1 = write_config("$tmp/host1.json", {
    aws => { region => 'us-east-1', endpoint => $AWS, endpoints => { dynamodb => $DDB },
             credentials => $creds },
    workers => 1, log => { level => 'debug' }, shutdown_grace_seconds => 10,
    record => { table => $table },
    routes => [ route_conf('thumbnail'), route_conf('webp') ] });
my $conf2 = write_config("$tmp/host2.json", {
    aws => { region => 'us-east-1', endpoint => $AWS,
             endpoints => { dynamodb => $DDB, s3 => "http://127.0.0.1:$pport" },
             credentials => $creds },
    workers => 1, log => { level => 'debug' }, shutdown_grace_seconds => 10,
    record => { table => $table },
    routes => [ route_conf('watermark') ] });
my ($log1, $log2) = ("$tmp/host1.log", "$tmp/host2.log");
my $h1 = start_host($conf1, $log1);
my $h2 = start_host($conf2, $log2);
ok(wait_log($log1, qr/worker started/, 20), 'host 1 started') or diag(host_log($log1));
ok(wait_log($log2, qr/worker started/, 20), 'host 2 started') or diag(host_log($log2));

my $jpeg = do { local $/; open(my $f, '<', root() . '/tests/data/images/jpeg-baseline-420.jpg') or die; binmode $f; <$f> };
my @ids = map { uniq("img$_") } 1 .. 4;
for my $i (0 .. $#ids) {
    put_object($bucket, "up/$ids[$i].jpg", $jpeg, 'image/jpeg');
}
my $bad = uniq('bad');
put_object($bucket, "up/$bad.jpg", "\xff\xd8\xff\xe0" . ('garbage' x 40), 'image/jpeg');
for my $r (qw(thumbnail webp watermark)) {
    send_message($q{$r}, prism_event($bucket, "up/$_.jpg", imageId => $_, size => length $jpeg,
                                     width => 227, height => 149, sha256 => "sha-$_"))
        for @ids;
}
send_message($q{thumbnail}, prism_event($bucket, "up/$bad.jpg", imageId => $bad, size => 284));

my $complete = sub {
    my $rec = get_record($table, $_[0]);
    return $rec && keys %{ $rec->{routes} || {} } == 3 ? $rec : undef;
};
ok(wait_for(sub { !grep { !$complete->($_) } @ids }, 60),
   'every image has a record with all three routes') or diag(host_log($log1), host_log($log2));

for my $id (@ids) {
    my $rec = $complete->($id) or next;
    is_deeply([ @$rec{qw(imageId bucket key contentType width height size sha256)} ],
              [ $id, $bucket, "up/$id.jpg", 'image/jpeg', 227, 149, length $jpeg, "sha-$id" ],
              "$id: the original's attributes");
    for my $r (qw(thumbnail webp watermark)) {
        my $rr = $rec->{routes}{$r};
        is($rr->{status}, 'ok', "$id/$r: status ok");
        is($rr->{plugin}, $r, "$id/$r: plugin name");
        like($rr->{pluginVersion}, qr/^\d+\.\d+/, "$id/$r: plugin version");
        like($rr->{at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, "$id/$r: at is ISO 8601");
        ok(defined $rr->{processingMs} && $rr->{processingMs} >= 0, "$id/$r: processingMs");
        ok(!exists $rr->{reason}, "$id/$r: no reason");
        is(scalar @{ $rr->{outputs} }, $r eq 'thumbnail' ? 2 : 1, "$id/$r: outputs listed");
        for my $o (@{ $rr->{outputs} }) {
            my $body = get_object($bucket, $o->{key});
            ok(defined $body && length($body) == $o->{size}, "$id/$r: $o->{key} stored, size matches");
            ok($o->{width} > 0 && $o->{height} > 0 && $o->{width} <= 227 && $o->{height} <= 149,
               "$id/$r: $o->{key} is $o->{width}x$o->{height}");
            is($o->{contentType}, $r eq 'webp' ? 'image/webp' : 'image/jpeg', "$id/$r: content type");
        }
    }
    my %w = map { $_->{width} => 1 } @{ $rec->{routes}{thumbnail}{outputs} };
    ok($w{64} && $w{128}, "$id: thumbnails 64 and 128 wide");
}

# ---- the corrupt image ----------------------------------------------------------------
ok(wait_for(sub { my $r = get_record($table, $bad); $r && $r->{routes}{thumbnail} }, 30),
   'the corrupt image has a record');
my $badrec = get_record($table, $bad);
is($badrec->{routes}{thumbnail}{status}, 'rejected', 'corrupt: status rejected');
like($badrec->{routes}{thumbnail}{reason} // '', qr/plugin thumbnail: /, 'corrupt: the reject reason');
is_deeply($badrec->{routes}{thumbnail}{outputs}, [], 'corrupt: no outputs');
ok(wait_for(sub { queue_depth($q{'thumbnail-dlq'}) == 1 }, 20), 'corrupt: dead-lettered');

# ---- completion events ----------------------------------------------------------------
my %events;
wait_for(sub {
    for my $m (receive_messages($doneq, wait => 1)) {
        my $e = json()->decode($m->{Body});
        $events{"$e->{imageId}/$e->{route}"} = [ $e, $m->{MessageAttributes} ];
    }
    return keys(%events) >= 3 * @ids;
}, 40);
is(scalar(keys %events), 3 * @ids, 'one completion event per image and route (none for the reject)');
for my $k (sort keys %events) {
    my ($e, $a) = @{ $events{$k} };
    my ($id, $r) = split m{/}, $k;
    is_deeply([ @$e{qw(originalKey bucket status plugin requestId)} ],
              [ "up/$id.jpg", $bucket, 'ok', $r, 'req-e2e' ], "$k: event fields");
    my $rec = get_record($table, $id);
    is_deeply($e->{outputs}, $rec->{routes}{$r}{outputs}, "$k: event outputs = record outputs");
    is_deeply({ map { $_ => $a->{$_}{StringValue} } qw(route image_id status) },
              { route => $r, image_id => $id, status => 'ok' }, "$k: message attributes");
}

# ---- SSE on the watermark route's PutObjects ------------------------------------------
my @puts = grep { /^PUT / } split /\n/, host_log("$tmp/nginx/access.log");
my @wm = grep { m{/d/up/} } @puts;
is(scalar @wm, scalar @ids, 'every watermark output went through the proxy');
is(scalar(grep { /sse=AES256$/ } @wm), scalar @wm, 'each carried x-amz-server-side-encryption: AES256');

is(stop_host($h1, 'TERM', 20), 0, 'host 1 stopped cleanly');
is(stop_host($h2, 'TERM', 20), 0, 'host 2 stopped cleanly');
unlike(host_log($log1) . host_log($log2), qr/image record:|completion event:/,
       'no record or completion failure logged');

done_testing();
