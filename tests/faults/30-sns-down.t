# Fault (c): SNS is unreachable from nginx during N uploads, then back.
# Without an outbox, every upload in the outage is refused with a 5xx and
# nothing of it stays stored (the original is removed); after SNS returns
# every upload gets 201 and its complete derivative set.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $dead = 'http://127.0.0.1:' . PrismFaultStack::closed_port();
my $s = PrismFaultStack->new('sns-down', visibility => 3, sns_endpoint => $dead)->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/jpeg-baseline-420.jpg" or die; <$fh> };

my $down = 6;
my (%status, %codes);
for (1 .. $down) {
    my $r = $s->upload($img);
    $status{ $r->{status} }++;
    $codes{ $r->{json}{error} // 'none' }++;
}
my $refused = grep { $_ >= 500 } map { ($_) x $status{$_} } keys %status;
is($refused, $down, 'every upload during the outage answered 5xx');
note 'statuses: ' . join(', ', map { "$_ x$status{$_}" } sort keys %status)
   . '; errors: ' . join(', ', map { "$_ x$codes{$_}" } sort keys %codes);
ok(!grep({ !/^publish_(unavailable|timeout|failed)$/ } keys %codes), 'the error names the publish');
my @orphans = $s->list_keys('prism-ingest');
is(scalar @orphans, 0, 'no original left stored for a refused upload');

$s->{sns_endpoint} = $s->endpoint;
$s->reload_nginx;
my $up = 10;
my (@keys, $ok);
for (1 .. $up) {
    my $r = $s->upload($img);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
}
is($ok, $up, 'after SNS is back every upload answered 201');
my $f = $s->wait_sets(\@keys, 30);
diag(PrismFaultStack::line('SNS down (no outbox)', $down + $up, $ok, $f)
     . sprintf(' refused_during_outage=%d orphans=%d', $refused, scalar @orphans));
is($f->{ingest}, $up, 'the ingest bucket holds exactly the accepted originals');
is($f->{sets}, $up, 'every accepted upload has its complete derivative set');
is($f->{distinct}, $up * 3, 'one derivative per route per upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
done_testing;
