# Fault (g): the prism-host master is killed with SIGKILL.  Its workers
# notice (they must not keep running headless forever) or are killed with the
# process group; a new host is started; every upload still gets its complete
# derivative set and nothing is dead-lettered.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $s = PrismFaultStack->new('kill-master', visibility => 3)->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/png-rgb.png" or die; <$fh> };
my $n = 30;
my (@keys, $ok, @orphans);
for my $i (1 .. $n) {
    my $r = $s->upload($img);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
    if ($i == 10) {
        @orphans = $s->host_workers;
        kill 'KILL', $s->host_pid;
        note "killed the master; workers were @orphans";
    }
}
ok($s->reap_host(5), 'the master is gone');
my $gone = PrismFaultStack::wait_for(15, sub { !grep { kill 0, $_ } @orphans });
ok($gone, 'orphaned workers exit by themselves within 15 s') or kill 'KILL', @orphans;
is($ok, $n, 'every upload answered 201');
$s->start_host;
my $f = $s->wait_sets(\@keys, 40);
diag(PrismFaultStack::line('kill -9 master + restart', $n, $ok, $f));
is($f->{sets}, $n, 'every upload has its complete derivative set');
is($f->{distinct}, $n * 3, 'one derivative per route per upload');
is($f->{stray}, 0, 'no derivative without a 2xx upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
done_testing;
