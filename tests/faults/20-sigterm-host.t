# Fault (b): prism-host gets SIGTERM in the middle of a burst of uploads and is
# started again: what it held is finished or redelivered, nothing is lost,
# nothing dead-lettered.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $s = PrismFaultStack->new('sigterm-host', visibility => 3)->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/jpeg-baseline-420.jpg" or die; <$fh> };
my $n = 40;
my (@keys, $ok);
for my $i (1 .. $n) {
    my $r = $s->upload($img);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
    if ($i == 15) { kill 'TERM', $s->host_pid; note 'SIGTERM sent' }
}
ok($s->reap_host(15), 'prism-host exited after SIGTERM');
is($ok, $n, 'every upload answered 201 (ingress does not depend on the host)');
$s->start_host;
my $f = $s->wait_sets(\@keys, 40);
diag(PrismFaultStack::line('SIGTERM host + restart', $n, $ok, $f));
is($f->{sets}, $n, 'every upload has its complete derivative set');
is($f->{distinct}, $n * 3, 'one derivative per route per upload');
is($f->{stray}, 0, 'no derivative without a 2xx upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
done_testing;
