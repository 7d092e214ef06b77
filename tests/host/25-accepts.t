# A route receives only what its plugin reads: the plugin declares the
# types it accepts (png_only: image/png), and the host dead-letters a
# message of another type with the reason, before fetching the original
# (the JPEG's object does not even exist) and without running the plugin.
# A message without a contentType (the simple shape) is checked against
# the type sniffed from the fetched bytes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();
my $bucket = uniq('acb');
create_bucket($bucket);
my $png = "\x89PNG\r\n\x1A\n" . ("\0" x 24);
put_object($bucket, 'in/b.png', $png, 'image/png');
put_object($bucket, 'in/c.bin', "\xFF\xD8\xFF\xE0" . ("\0" x 16), 'application/octet-stream');

my $qd = create_queue(uniq('acc-dlq'));
my $q = create_queue(uniq('acc'), visibility => 10, dlq => $qd, max_receive => 3);
my $conf = write_config("$tmp/host.json", {
    workers => 1, shutdown_grace_seconds => 5,
    routes => [
        { name => 'png', queue_url => $q, dlq_url => $qd, plugin => plugin_path('png_only'),
          plugin_params => { record => "$tmp/rec" }, input => { buckets => [$bucket] },
          output => { bucket => $bucket, prefix => 'd/' },
          wait_time_seconds => 20 } ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log));

my $id_jpeg = send_message($q, prism_event($bucket, 'in/a.jpg', contentType => 'image/jpeg'));
my $id_png = send_message($q, prism_event($bucket, 'in/b.png', contentType => 'image/png'));
my $id_sniffed = send_message($q, simple_event($bucket, 'in/c.bin', 'img-c'));

my %dead;
wait_for(sub {
    for my $m (receive_messages($qd, wait => 1)) {
        $dead{ $m->{MessageAttributes}{'prism.original_message_id'}{StringValue} } = $m;
    }
    keys %dead >= 2 }, 20);
ok($dead{$id_jpeg}, 'image/jpeg: dead-lettered');
is($dead{$id_jpeg} && $dead{$id_jpeg}{MessageAttributes}{'prism.reason'}{StringValue},
   'image/jpeg is not a type plugin png_only accepts (image/png)',
   'image/jpeg: the reason names the type and what the plugin accepts');
ok($dead{$id_sniffed}, 'no contentType, JPEG bytes: dead-lettered');
is($dead{$id_sniffed} && $dead{$id_sniffed}{MessageAttributes}{'prism.reason'}{StringValue},
   'image/jpeg (sniffed from the original) is not a type plugin png_only accepts (image/png)',
   'no contentType: the reason says the type was sniffed');
ok(!$dead{$id_png}, 'image/png: not dead-lettered');
ok(wait_for(sub { defined get_object($bucket, 'd/in/b/png/copy.png') }, 10),
   'image/png: processed, its output stored');
ok(wait_for(sub { queue_depth($q) == 0 }, 10), 'every message deleted from the source queue');
my @calls = host_log("$tmp/rec") =~ /^process (\S+)/mg;
is_deeply(\@calls, ['in/b.png'], 'the plugin ran only on the PNG');
like(host_log($log), qr/route=png msg=\Q$id_jpeg\E .*rejected: image\/jpeg is not a type plugin png_only accepts/,
     'the rejection is logged with the message id');

is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
