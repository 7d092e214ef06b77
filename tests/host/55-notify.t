# The master speaks systemd's readiness protocol (Type=notify) to the
# socket in NOTIFY_SOCKET: READY=1 once its workers are started,
# RELOADING=1 then READY=1 around a SIGHUP (a refused reload included),
# STOPPING=1 at a graceful stop.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Select;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();
my $path = "$tmp/notify.sock";
my $sock = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path) or die "$path: $!";

# next_state(TIMEOUT): the next datagram, or undef after TIMEOUT seconds.
sub next_state {
    my ($timeout) = @_;
    return undef unless IO::Select->new($sock)->can_read($timeout);
    $sock->recv(my $buf, 4096);
    return $buf;
}

my $q = create_queue(uniq('notify'));
my $qd = create_queue(uniq('notify-dlq'));
my %conf = (workers => 2, routes => [ { name => 'notify', queue_url => $q, dlq_url => $qd,
                                         plugin => plugin_path('ok'), input => { buckets => ['b'] },
                                         output => { directory => $tmp } } ]);
my $conf = write_config("$tmp/host.json", { %conf });
my $log = "$tmp/host.log";
my $pid = do { local $ENV{NOTIFY_SOCKET} = $path; start_host($conf, $log) };

is(next_state(20), 'READY=1', 'READY=1 after the start') or diag(host_log($log));
like(host_log($log), qr/master started: 2 worker/, 'sent once the workers were started');

kill 'HUP', $pid;
like(next_state(20), qr/^RELOADING=1\nMONOTONIC_USEC=\d+$/, 'SIGHUP: RELOADING=1 with MONOTONIC_USEC');
is(next_state(30), 'READY=1', 'then READY=1');
ok(wait_log($log, qr/reloaded: 2 new worker/, 10), 'after the reload happened');

$conf{routes}[0]{plugin} = "$tmp/missing.so";
write_config($conf, { %conf });
kill 'HUP', $pid;
like(next_state(20), qr/^RELOADING=1/, 'a refused reload: RELOADING=1');
is(next_state(30), 'READY=1', 'then READY=1 (the running configuration stays)');
ok(wait_log($log, qr/reload failed/, 10), 'the reload was refused');

kill 'TERM', $pid;
is(next_state(20), 'STOPPING=1', 'SIGTERM: STOPPING=1');
is(stop_host($pid, 'ZERO', 30), 0, 'exit 0');
is(next_state(0.5), undef, 'nothing more');
memcheck($log);
done_testing();
