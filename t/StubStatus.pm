# Synchronising a test with nginx itself: what its stub_status module
# counts.  A block that needs it adds a location such as
#     location = /nginx-status { stub_status; }
package StubStatus;

use strict;
use warnings;

use HTTP::Tiny;
use Time::HiRes qw(sleep time);

# wait_requests_in_progress(PORT, PATH, N[, SECONDS]): waits (bounded,
# 10 s by default) until the stub_status at PATH counts at least N
# requests in progress ("Writing", the status request itself included):
# requests whose header nginx has read and that have not finished yet.
# Returns true then, false when the count was never reached.
sub wait_requests_in_progress {
    my ($port, $path, $n, $seconds) = @_;
    my $end = time + ($seconds || 10);
    while (time < $end) {
        my $r = HTTP::Tiny->new(timeout => 2)->get("http://127.0.0.1:$port$path");
        return 1 if $r->{success} && $r->{content} =~ /Writing: (\d+)/ && $1 >= $n;
        sleep 0.05;    # poll: until the count is reached or the deadline
    }
    return 0;
}

1;
