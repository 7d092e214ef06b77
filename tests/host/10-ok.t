# The happy path and the message shapes: with the ok plugin, every
# accepted shape (prism event raw and in the SNS envelope, a real S3 event
# with a URL-encoded key, the simple shape) stores its derivatives under
# the deterministic key and is deleted; the S3 test event is deleted
# quietly; poison, a missing original and an original over
# max_input_bytes go to the DLQ with the reason attributes.  A second
# route reads locally stored originals from its input_directory and writes
# to a local directory, refusing keys that would escape it.  /metrics
# counts it all.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use IO::Socket::INET;
use Test::More;

my $tmp = tmpdir();
my $bucket = uniq('okb');
create_bucket($bucket);
my $qd = create_queue(uniq('ok-dlq'));
my $q = create_queue(uniq('ok'), visibility => 10, dlq => $qd, max_receive => 3);
my $q2 = create_queue(uniq('okdir'), visibility => 10);
my $q2d = create_queue(uniq('okdir-dlq'));
mkdir "$tmp/in"; mkdir "$tmp/in/2024"; mkdir "$tmp/out";

my $jpeg = do { local $/; open(my $f, '<', root() . '/tests/data/images/jpeg-baseline-420.jpg') or die; binmode $f; <$f> };
put_object($bucket, $_, $jpeg, 'image/jpeg')
    for ('in/my photo+1.jpg', 'in/sns.jpg', 'in/simple.jpg', 'in/real event é.jpg');
put_object($bucket, 'in/big.bin', 'x' x 200_000, 'application/octet-stream');
for my $name (qw(a b)) { open(my $f, '>', "$tmp/in/2024/$name.jpg") or die; binmode $f; print $f $jpeg; close $f; }

my $port = do { my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1); $s->sockport };
my $conf = write_config("$tmp/host.json", {
    workers => 1, metrics => { listen => "127.0.0.1:$port" }, log => { level => 'debug' },
    shutdown_grace_seconds => 10,
    routes => [
        { name => 'okr', queue_url => $q, dlq_url => $qd, plugin => plugin_path('ok'),
          plugin_params => { record => "$tmp/record" }, input => { buckets => [$bucket] }, output => { bucket => $bucket, prefix => 'derived/' },
          max_input_bytes => 100_000, concurrency => 2 },
        { name => 'okdir', queue_url => $q2, dlq_url => $q2d, plugin => plugin_path('ok'),
          input => { buckets => [$bucket] }, output => { directory => "$tmp/out" }, input_directory => "$tmp/in" } ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log));

my %sent;
$sent{raw}    = send_message($q, prism_event($bucket, 'in/my photo+1.jpg'));
$sent{sns}    = send_message($q, sns_wrap(prism_event($bucket, 'in/sns.jpg')));
$sent{simple} = send_message($q, simple_event($bucket, 'in/simple.jpg', 'simple'));
my $real = json()->decode(prism_event($bucket, 'in/real event é.jpg'));
delete $real->{prism};
$sent{real}   = send_message($q, json()->encode($real));
$sent{test}   = send_message($q, json()->encode({ Service => 'Amazon S3', Event => 's3:TestEvent',
                                                  Bucket => $bucket, RequestId => 'r', HostId => 'h' }));
$sent{poison} = send_message($q, 'this is not json');
$sent{poison8} = send_message($q, "\xc3\xa9\xc3\xa9\xe4\xb8\xad {\"not\": json");   # UTF-8 bytes
$sent{missing} = send_message($q, prism_event($bucket, 'in/missing.jpg'));
$sent{big}    = send_message($q, simple_event($bucket, 'in/big.bin'));
$sent{local}  = send_message($q2, prism_event('local', '2024/a.jpg', storage => 'local'));
# the local store without prism_bucket publishes an empty bucket name
$sent{nobucket} = send_message($q2, prism_event('', '2024/b.jpg', storage => 'local'));
$sent{escape} = send_message($q2, prism_event('local', '../host.json', storage => 'local'));

my %outputs = (raw => 'derived/in/my photo+1/okr', sns => 'derived/in/sns/okr',
               simple => 'derived/in/simple/okr', real => 'derived/in/real event é/okr');
ok(wait_for(sub { !grep { !defined get_object($bucket, "$outputs{$_}/info.txt") } keys %outputs }, 20),
   'every accepted shape stored its outputs') or diag(host_log($log));
for my $k (sort keys %outputs) {
    is(get_object($bucket, "$outputs{$k}/copy.bin"), $jpeg, "$k: copy.bin under the deterministic key");
}
like(get_object($bucket, "$outputs{raw}/info.txt"),
     qr/key=in\/my photo\+1\.jpg content_type=image\/jpeg width=4 height=3 image_id=my photo\+1 request_id=req-e2e/,
     'prism event: metadata reaches the plugin, key decoded');
like(get_object($bucket, "$outputs{simple}/info.txt"), qr/image_id=simple request_id=-/,
     'simple shape: image id passed, no request id');
like(get_object($bucket, "$outputs{real}/info.txt"), qr/key=in\/real event é\.jpg content_type=image\/jpeg/,
     'real S3 event: URL-encoded key decoded; content type from S3');

ok(wait_for(sub { queue_depth($q) == 0 && queue_depth($q2) == 0 }, 20), 'source queues drained');

# Dead letters: original body, reason attributes, each sent once.
my %dlq;
wait_for(sub { $dlq{$_->{MessageAttributes}{'prism.original_message_id'}{StringValue}} = $_
                   for receive_messages($qd, wait => 1); keys(%dlq) >= 4 }, 20);
is(scalar keys %dlq, 4, 'four dead letters on the route DLQ');
ok($dlq{$sent{poison8}}, 'a non-ASCII poison body is dead-lettered too (its reason made valid UTF-8)');
%dlq = map { $_->{Body} => $_ } values %dlq;
my $poison = $dlq{'this is not json'};
ok($poison, 'poison body dead-lettered unchanged');
my %pa = map { $_ => $poison->{MessageAttributes}{$_}{StringValue} } keys %{ $poison->{MessageAttributes} || {} };
like($pa{'prism.reason'}, qr/body is not JSON/, 'poison: prism.reason');
is($pa{'prism.route'}, 'okr', 'poison: prism.route');
is($pa{'prism.plugin'}, 'ok 1.0.0', 'poison: prism.plugin');
is($pa{'prism.attempts'}, '1', 'poison: prism.attempts');
is($pa{'prism.original_message_id'}, $sent{poison}, 'poison: prism.original_message_id');
my ($missing) = grep { $_->{Body} =~ /missing\.jpg/ } values %dlq;
like($missing->{MessageAttributes}{'prism.reason'}{StringValue}, qr/original s3:\/\/\Q$bucket\E\/in\/missing\.jpg not found/,
     'missing original: rejected, not retried');
my ($big) = grep { $_->{Body} =~ /big\.bin/ } values %dlq;
like($big->{MessageAttributes}{'prism.reason'}{StringValue}, qr/over max_input_bytes 100000/,
     'original over max_input_bytes: rejected');

# The local route.
ok(wait_for(sub { -f "$tmp/out/2024/a/okdir/copy.bin" }, 10), 'local original -> local output');
is(-s "$tmp/out/2024/a/okdir/copy.bin", length $jpeg, 'local output has the bytes');
ok(wait_for(sub { -f "$tmp/out/2024/b/okdir/copy.bin" }, 10),
   'a local-store event without a bucket name (no prism_bucket) is processed');
my @d2 = ();
wait_for(sub { push @d2, receive_messages($q2d, wait => 1); @d2 >= 1 }, 10);
is(scalar @d2, 1, 'escaping key dead-lettered');
like($d2[0]{MessageAttributes}{'prism.reason'}{StringValue}, qr/path segment/, 'escaping key: reason says why');
ok(!-e "$tmp/host/okdir", 'nothing written outside the output directory');

# Each original was processed exactly once.
my %calls;
my $record = host_log("$tmp/record");
$calls{$1}++ while $record =~ /^process (.*) \d+$/mg;
is_deeply(\%calls, { 'in/my photo+1.jpg' => 1, 'in/sns.jpg' => 1, 'in/simple.jpg' => 1,
                     'in/real event é.jpg' => 1 }, 'the plugin ran once per accepted message');

my $m = metrics_text($port);
like($m, qr/^prism_messages_received_total\{route="okr"\} 9$/m, 'metrics: received');
like($m, qr/^prism_messages_ok_total\{route="okr"\} 5$/m, 'metrics: ok (4 images + the test event)');
like($m, qr/^prism_messages_rejected_total\{route="okr"\} 2$/m, 'metrics: rejected');
like($m, qr/^prism_messages_poison_total\{route="okr"\} 2$/m, 'metrics: poison');
like($m, qr/^prism_messages_dead_lettered_total\{route="okr"\} 4$/m, 'metrics: dead-lettered');
like($m, qr/^prism_messages_dead_lettered_total\{route="okdir"\} 1$/m, 'metrics: second route');
like($m, qr/^prism_processing_seconds_count\{route="okr"\} 9$/m, 'metrics: histogram count');
like($m, qr/^prism_in_flight\{route="okr"\} 0$/m, 'metrics: nothing in flight');
like($m, qr/^prism_workers 1$/m, 'metrics: one worker');
like(host_log($log), qr/route=okr msg=\Q$sent{raw}\E req=req-e2e: ok: 2 output\(s\) stored/,
     'log line carries route, message id and request id');
unlike(host_log($log), qr/prism-test-secret/, 'the secret key is never logged');

is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
