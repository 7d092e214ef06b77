# The Test::Nginx suites' setup (t/PrismTest.pm) goes through signed
# requests and checks what the endpoint answers, not only the status: an
# endpoint that says "200 OK" to everything but returns no queue URL,
# topic ARN or subscription ARN (here a stub server on loopback) makes
# loading PrismTest fail with a message naming the missing content.
use strict;
use warnings;
use FindBin;
use File::Temp ();
use IO::Socket::INET;
use POSIX ();
use Test::More;

my $root = "$FindBin::Bin/../..";
my $cli = "$root/build/prism-aws";
plan skip_all => 'build/prism-aws is not built (make)' unless -x $cli;

# A server that answers every request "200 OK" with an empty body and
# records the requests' first lines and Authorization headers.
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $port = $srv->sockport;
my $log = File::Temp->new;
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    while (my $c = $srv->accept) {
        my ($head, $len) = ('', 0);
        while (my $line = <$c>) {
            $head .= $line;
            $len = $1 if $line =~ /^Content-Length:\s*(\d+)/i;
            last if $line eq "\r\n";
        }
        read $c, my $body, $len if $len;
        if (open my $fh, '>>', $log->filename) {
            my ($first) = $head =~ /^(.*?)\r\n/;
            my $signed = $head =~ /^Authorization: AWS4-HMAC-SHA256 /mi ? 'signed' : 'unsigned';
            print $fh "$signed $first\n";
            close $fh;
        }
        print $c "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        close $c;
    }
    POSIX::_exit(0);
}
close $srv;

local $ENV{TEST_NGINX_AWS_ENDPOINT} = "http://127.0.0.1:$port";
local $ENV{TEST_NGINX_PRISM_AWS} = $cli;
local $ENV{TEST_NGINX_PRISM_MODULE} = '/nonexistent.so';
local $ENV{TEST_NGINX_DATA} = "$root/tests/data";
local $ENV{AWS_ACCESS_KEY_ID} = 'AKIDPRISMTEST';
local $ENV{AWS_SECRET_ACCESS_KEY} = 'prism-test-secret';

my $out = `$^X -I$root/t -e 'use PrismTest; print "loaded\\n"' 2>&1`;
my $status = $?;
kill 'TERM', $pid;
waitpid $pid, 0;

isnt($status, 0, 'loading PrismTest fails against an endpoint that answers 200 with nothing');
unlike($out, qr/^loaded$/m, 'the suites do not start');
like($out, qr/PrismTest: .*(?:queue URL|topic ARN|account|subscription ARN)/i,
     'the failure names what the answer lacked') or diag $out;
open my $fh, '<', $log->filename or die "log: $!";
my @requests = <$fh>;
ok(@requests, 'the setup called the endpoint');
is(scalar(grep { !/^signed / } @requests), 0, 'every setup request is signed')
    or diag @requests;

done_testing();
