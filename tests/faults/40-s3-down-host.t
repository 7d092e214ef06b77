# Fault (d): S3 is unreachable from prism-host (its S3 endpoint is a closed
# port) while uploads arrive, then a SIGHUP reload points it back.  The
# host's S3 breaker opens and the messages are held meanwhile (nothing is
# lost, nothing dead-lettered; 41-s3-down-host-long.t does the same for an
# outage longer than maxReceiveCount x the visibility timeout) and every
# derivative set is eventually stored.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $dead = 'http://127.0.0.1:' . PrismFaultStack::closed_port();
my $s = PrismFaultStack->new('s3-down-host', visibility => 5, host_s3_endpoint => $dead)->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/png-rgb.png" or die; <$fh> };
my $n = 15;
my (@keys, $ok);
for (1 .. $n) {
    my $r = $s->upload($img);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
}
is($ok, $n, 'every upload answered 201 (nginx stores through its own endpoint)');
my $trips = PrismFaultStack::wait_for(30, sub { $s->metrics->{'prism_breaker_trips_total{dependency="s3"}'} });
cmp_ok($trips // 0, '>=', 1, 'the S3 breaker opened');
my $during = $s->figures(\@keys);
is($during->{derived}, 0, 'nothing derived while the host cannot reach S3');
my $retried = 0;
$retried += $s->route_metric('prism_messages_retried_total', $_) for PrismFaultStack::routes();
cmp_ok($retried, '>=', 1, 'the host retried messages');
delete $s->{host_s3_endpoint};
$s->reload_host;
my $f = $s->wait_sets(\@keys, 40);
diag(PrismFaultStack::line('S3 down at the host, then back', $n, $ok, $f) . " retried=$retried");
is($f->{sets}, $n, 'every upload has its complete derivative set');
is($f->{distinct}, $n * 3, 'one derivative per route per upload');
is($f->{stray}, 0, 'no derivative without a 2xx upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
done_testing;
