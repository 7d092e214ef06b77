# "log": {"format": "json"}: every line the host writes — master,
# workers, the plugin's own lines — is one JSON object; a message's
# outcome carries route, message_id, request_id, image_id, event,
# duration_ms and reason, and values a hostile message controls are
# escaped, never forging lines.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use JSON::PP;
use Test::More;

my $tmp = tmpdir();
my $bucket = uniq('jsonb');
create_bucket($bucket);
my $qd = create_queue(uniq('json-dlq'));
my $q = create_queue(uniq('json'), visibility => 10);
my $jpeg = do { local $/; open(my $f, '<', root() . '/tests/data/images/jpeg-baseline-420.jpg') or die; binmode $f; <$f> };
put_object($bucket, 'in/a.jpg', $jpeg, 'image/jpeg');

my $log = "$tmp/host.log";
my $conf = write_config("$tmp/host.json", {
    workers => 1, log => { level => 'debug', format => 'json', file => $log },
    routes => [ { name => 'jsonr', queue_url => $q, dlq_url => $qd, plugin => plugin_path('ok'),
                  input => { buckets => [$bucket] }, output => { bucket => $bucket } } ] });
my $pid = start_host($conf, "$tmp/host.out");
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log), host_log("$tmp/host.out"));

my $ok = send_message($q, prism_event($bucket, 'in/a.jpg'));
my $bad = send_message($q, prism_event($bucket, 'in/missing"},{"level":"error"}\\.jpg',
                                       requestId => "req\"\n\x01"));
ok(wait_log($log, qr/"event":"rejected"/, 20), 'the missing original is rejected') or diag(host_log($log));
ok(wait_log($log, qr/"event":"ok"/, 20), 'the other one stored') or diag(host_log($log));
is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');

my @lines = split /\n/, host_log($log);
my @objs;
for my $line (@lines) {
    my $o = eval { JSON::PP->new->decode($line) };
    push @objs, $o if ref $o eq 'HASH';
}
cmp_ok(scalar @lines, '>=', 5, scalar(@lines) . ' lines');
is(scalar @objs, scalar @lines, 'every line is one JSON object') or diag(host_log($log));
is(scalar(grep { $_->{time} =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ && $_->{pid} =~ /^\d+$/
                 && $_->{level} =~ /^(error|warn|info|debug)$/ && defined $_->{message} } @objs),
   scalar @objs, 'each with time, level, pid and message');

my ($okl) = grep { ($_->{event} // '') eq 'ok' } @objs;
is($okl->{route}, 'jsonr', 'ok: route');
is($okl->{message_id}, $ok, 'ok: message_id');
is($okl->{request_id}, 'req-e2e', 'ok: request_id');
is($okl->{image_id}, 'a', 'ok: image_id');
like($okl->{duration_ms}, qr/^\d+(\.\d+)?$/, 'ok: duration_ms is a number');
like($okl->{message}, qr/^ok: /, 'ok: the text line\'s message');

my ($rej) = grep { ($_->{event} // '') eq 'rejected' } @objs;
is($rej->{message_id}, $bad, 'rejected: message_id');
is($rej->{request_id}, "req\"\n\x01", 'rejected: a hostile request id is escaped, intact');
like($rej->{reason}, qr/missing"\},\{"level":"error"\}\\\.jpg/, 'rejected: reason, with the key escaped');
is(scalar(grep { ($_->{level} // '') eq 'error' && !defined $_->{pid} } @objs), 0, 'no forged line');
memcheck($log);
done_testing();
