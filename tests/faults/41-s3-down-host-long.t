# Fault (d'): S3 is unreachable from prism-host for 120 s (its S3 endpoint
# is a closed port; a SIGHUP reload points it back), with production
# timing: visibility 30 s, maxReceiveCount 3, so the outage lasts longer
# than maxReceiveCount x the visibility timeout.  Nothing may be
# dead-lettered: the host's S3 breaker opens, its routes stop receiving
# and the messages in hand wait; after the reload every set is stored.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $OUTAGE = 120;
my $dead = 'http://127.0.0.1:' . PrismFaultStack::closed_port();
my $t0 = time;
my $s = PrismFaultStack->new('s3-down-host-long', production => 1, host_s3_endpoint => $dead)->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/png-rgb.png" or die; <$fh> };
my $n = 10;
my (@keys, $ok);
for (1 .. $n) {
    my $r = $s->upload($img);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
}
is($ok, $n, 'every upload answered 201 (nginx stores through its own endpoint)');
my $trips = PrismFaultStack::wait_for($OUTAGE, sub { $s->metrics->{'prism_breaker_trips_total{dependency="s3"}'} });
cmp_ok($trips // 0, '>=', 1, 'the S3 breaker opened');
PrismFaultStack::wait_for($OUTAGE, sub { time - $t0 >= $OUTAGE });   # the outage's length
is($s->figures(\@keys)->{derived}, 0, 'nothing derived while the host cannot reach S3');
delete $s->{host_s3_endpoint};
$s->reload_host;
my $f = $s->wait_sets(\@keys, 90);
my @reasons = map { $_->{MessageAttributes}{'prism.reason'}{StringValue} // '(none)' }
              map { $s->dlq_messages($_) } PrismFaultStack::routes();
diag(PrismFaultStack::line("S3 down ${OUTAGE}s at the host, then back", $n, $ok, $f)
     . sprintf(' breaker_trips=%s runtime=%.0fs', $trips // 0, time - $t0));
diag("DLQ reason: $_") for @reasons;
is($f->{sets}, $n, 'every upload has its complete derivative set');
is($f->{distinct}, $n * 3, 'one derivative per route per upload');
is($f->{stray}, 0, 'no derivative without a 2xx upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
# the workers of before the reload count until they have exited (after
# releasing what they held): wait for that, bounded
ok(PrismFaultStack::wait_for(60, sub { ($s->metrics->{'prism_breaker_open{dependency="s3"}'} // 1) == 0 }),
   'the breakers are closed again');
done_testing;
