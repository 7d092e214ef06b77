# Fault (i): slow S3 and SNS endpoints.  A stock nginx (no prism module)
# proxies the emulator with limit_rate; the prism module (S3, SNS) and
# prism-host (S3; SQS stays direct) talk to it.  Every upload still gets 201 within its timeouts,
# and every derivative set is stored without dead-letters.  limit_rate
# slows responses only: a 4 KiB GetObject takes about 2 s (the host's
# per-attempt timeout here is 3 s), an SNS or S3 answer to nginx ~0.2 s.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $port = PrismFaultStack::free_port();
my $slow = "http://127.0.0.1:$port";
my $s = PrismFaultStack->new('slow-endpoints', visibility => 4, sns_endpoint => $slow,
                             s3_endpoint => $slow, host_s3_endpoint => $slow);
my $pdir = $s->dir . '/proxy';
mkdir $pdir; mkdir "$pdir/logs";
my $user = $> == 0 ? 'user root;' : '';
open my $fh, '>', "$pdir/nginx.conf" or die;
print $fh <<EOC;
$user
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path logs/body;
    proxy_temp_path logs/proxy;
    server {
        listen 127.0.0.1:$port;
        client_max_body_size 0;
        location / {
            proxy_pass @{[ $s->endpoint ]};
            proxy_http_version 1.1;
            proxy_request_buffering off;
            proxy_buffering off;
            limit_rate 2k;
        }
    }
}
EOC
close $fh;
# the emulator first (the proxy forwards to it), then the proxy, nginx, host
$s->start_aws;
system('/usr/sbin/nginx', '-p', "$pdir/", '-c', 'nginx.conf', '-e', 'logs/error.log') == 0 or BAIL_OUT('proxy did not start');
END { if (open my $p, '<', "$pdir/logs/nginx.pid") { my $pid = <$p>; chomp $pid; kill 'TERM', $pid if $pid } }
$s->start_nginx;
$s->start_host;

my $img = do { local $/; open my $fh2, '<', "$FindBin::Bin/../data/images/png-rgb.png" or die; <$fh2> };
my $n = 10;
my (@keys, $ok, @t);
for (1 .. $n) {
    my $t0 = time;
    my $r = $s->upload($img);
    push @t, time - $t0;
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} } else { note "upload: $r->{status} $r->{content}" }
}
is($ok, $n, 'every upload answered 201 through the slow endpoints');
my $f = $s->wait_sets(\@keys, 60);
diag(PrismFaultStack::line('slow endpoints (limit_rate 2k)', $n, $ok, $f)
     . sprintf(' slowest_upload=%.2fs', (sort { $b <=> $a } @t)[0]));
is($f->{sets}, $n, 'every upload has its complete derivative set');
is($f->{distinct}, $n * 3, 'one derivative per route per upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
done_testing;
