# An SQS endpoint whose ReceiveMessage answers lack what AWS documents (a
# stub on loopback: messages without the ApproximateReceiveCount prism-host
# asks for, answered as application/json instead of
# application/x-amz-json-1.0): prism-host counts every such answer in
# prism_conformance_warnings_total{kind} and logs one warning per endpoint
# and kind, however often it happens.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Socket::INET;
use POSIX ();
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();

# The stub: every ReceiveMessage gets one message (after 0.2 s, as a short
# long poll), without Attributes; anything else an error.
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16,
                                ReuseAddr => 1) or die "listen: $!";
my $stub = 'http://127.0.0.1:' . $srv->sockport;
my $spid = fork // die "fork: $!";
if ($spid == 0) {
    my $n = 0;
    while (my $c = $srv->accept) {
        my ($head, $len) = ('', 0);
        while (my $line = <$c>) {
            $head .= $line;
            $len = $1 if $line =~ /^Content-Length:\s*(\d+)/i;
            last if $line eq "\r\n";
        }
        read($c, my $body, $len) if $len;
        my ($status, $out) = (400, '{"__type":"com.amazonaws.sqs#InvalidAction","message":"stub"}');
        if ($head =~ /^X-Amz-Target: AmazonSQS\.ReceiveMessage/mi) {
            select(undef, undef, undef, 0.2);    # pacing: the stand-in's slow ReceiveMessage
            $n++;
            ($status, $out) = (200, qq({"Messages":[{"MessageId":"m$n","ReceiptHandle":"r$n",)
                                    . qq("MD5OfBody":"x","Body":"not an event"}]}));
        }
        print $c "HTTP/1.1 $status X\r\nContent-Type: application/json\r\n"
               . "Content-Length: " . length($out) . "\r\nConnection: close\r\n\r\n$out";
        close $c;
    }
    POSIX::_exit(0);
}
close $srv;
END { local $?; if ($spid) { kill "TERM", $spid; waitpid $spid, 0 } }

my $port = do { my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1); $s->sockport };
my $conf = write_config("$tmp/host.json", {
    aws => { region => 'us-east-1', endpoint => $stub,
             credentials => { access_key_id => 'AKIDPRISMTEST', secret_access_key => 'prism-test-secret' } },
    workers => 2, metrics => { listen => "127.0.0.1:$port" }, log => { level => 'info' },
    shutdown_grace_seconds => 5,
    routes => [ { name => 'conf', queue_url => "$stub/stub/conf-q", dlq_url => "$stub/stub/conf-dlq",
                  plugin => plugin_path('ok'), input => { buckets => ['conf-in'] },
                  output => { directory => "$tmp" }, concurrency => 2,
                  wait_time_seconds => 1 } ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);

# counter(TEXT, KIND): prism_conformance_warnings_total{kind=KIND} in TEXT.
sub counter {
    my ($text, $kind) = @_;
    return $text =~ /^prism_conformance_warnings_total\{kind="\Q$kind\E"\} (\d+)$/m ? $1 : 0;
}

ok(wait_for(sub { my $t = metrics_text($port);
                  counter($t, 'receive_count') >= 4 && counter($t, 'content_type') >= 4 }, 30),
   'every non-conforming answer is counted, by kind') or diag(metrics_text($port), host_log($log));
my $text = metrics_text($port);
like($text, qr/^# TYPE prism_conformance_warnings_total counter$/m, 'a counter');
is(counter($text, 'attributes'), 0, 'no other kind counted');

my $host_log = host_log($log);
my @rc = $host_log =~ /(the SQS endpoint \Q$stub\E answered ReceiveMessage without the ApproximateReceiveCount)/g;
my @ct = $host_log =~ /(the SQS endpoint \Q$stub\E answered ReceiveMessage with a Content-Type other)/g;
is(scalar @rc, 1, 'one warning about ApproximateReceiveCount, for both workers and all pollers')
    or diag($host_log);
is(scalar @ct, 1, 'one warning about the content type');
like($host_log, qr/max_attempts never dead-letters a message/, 'the warning says what it breaks');

stop_host($pid);
memcheck($log);
done_testing();
