package Test::Nginx::Socket;

# A Test::Nginx::Socket compatible test runner for the prism project.
#
# It is used only when openresty's Test::Nginx (CPAN) is not installed: the
# project then runs "prove -I t/lib -r t/".  Test suites must keep working
# unchanged under the real module, so this one follows its block format,
# TAP test names and checks.  It is a separate, much smaller
# implementation; docs/testing-nginx.md lists what is supported and how it
# differs.
#
# Like the real module it is a Test::Base subclass, so all of Test::Base's
# features (filters such as "eval" and "chomp", --- ONLY, --- SKIP,
# $block->set_value ...) work in suites.

use strict;
use warnings;

# Test::Base subclass; lower-case "-base" avoids Spiffy's source filter.
use Test::Base -base;

use Digest::MD5 ();
use Digest::SHA ();
use Encode ();
use IO::Select ();
use IO::Socket::INET ();
use List::Util qw(max min shuffle);
use Scalar::Util qw(looks_like_number);
use Time::HiRes qw(sleep time);

use Test::Nginx::Util;

our $VERSION = '0.01';

# Lets suites and tools tell this runner from the real one.
our $IsCompatRunner = 1;

our @EXPORT = qw(
    env_to_nginx is_str plan run_tests run_test
    repeat_each config_preamble worker_connections
    master_process_enabled
    no_long_string workers master_on master_off
    log_level no_shuffle no_root_location use_hup
    server_name
    server_addr server_root html_dir server_port server_port_for_client
    timeout no_nginx_manager check_accum_error_log
    add_block_preprocessor bail_out add_cleanup_handler
    add_response_body_check
);

our @ResponseBodyChecks;

sub add_response_body_check ($) {
    push @ResponseBodyChecks, shift;
}

# Sections the real module supports but this runner does not.  A block
# using one fails loudly instead of silently testing something else.
my @UnsupportedSections = qw(
    pipelined_requests http2 http3 tcp_listen udp_listen
);

my $WarnedRequestBody;

#==========================================================================
# Driving the blocks
#==========================================================================

sub run_tests () {
    init_run();

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $NoShuffle;

    for my $block (@blocks) {
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_test($block);
    }

    cleanup();
}

# Runs one block.  Problems with the block itself (bad section values,
# missing env vars, nginx not starting) become a failed test, so the other
# blocks and files still run.
sub run_test ($) {
    my ($block) = @_;
    return if defined $block->SKIP;

    my $ok = eval { run_block($block); 1 };
    if (!$ok) {
        my $err = $@;
        chomp $err;
        Test::More::fail($block->name . " - $err");
    }
}

sub run_block {
    my ($block) = @_;
    my $name = $block->name;

    for my $section (@UnsupportedSections) {
        die "--- $section is not supported by this Test::Nginx runner\n"
            if defined $block->$section;
    }

    local $LogLevel = $block->log_level || $LogLevel;

    my $rand_ports = {};
    my $config = expand_env_in_text($block->config, $name, $rand_ports);
    my $must_die = $block->must_die;
    my ($should_skip, $tests_to_skip, $skip_reason) = skip_spec($block);
    my ($should_todo, $tests_to_todo, $todo_reason) = todo_spec($block);

    # As in the real module, a block without --- config reuses the nginx
    # (and the error log) of the previous block.
    my $restart = 1;
    if (!defined $config) {
        die "No '--- config' section specified and could not get previous one.\n"
            if !defined $PrevConfig && !$NoNginxManager;
        $restart = 0;
    }
    $restart = 0 if $NoNginxManager || $should_skip;

    if ($restart) {
        $PrevConfig = $config;
        stop_nginx($name);
        setup_server_root();
        write_user_files($block, $rand_ports);
        write_config_file($block, $config, $rand_ports);

        if (defined $must_die) {
            check_must_die($block, $must_die);
            return;
        }
        launch_nginx($block) or return;
    }

    if (defined(my $init = $block->init)) {
        eval "package main;\n$init\n;1" or die "init failed: $@";
    }

    $ErrLogFilePos = 0;
    for my $i (0 .. $RepeatEach - 1) {
        write_user_files($block, $rand_ports) if $i > 0;

        if ($should_skip && defined $tests_to_skip) {
            SKIP: { Test::More::skip("$name - $skip_reason", $tests_to_skip) }
        } elsif ($should_todo) {
            TODO: { Test::More::todo_skip("$name - $todo_reason", $tests_to_todo) }
        } else {
            run_requests($block, $i);
        }
    }
}

# Starts nginx for a normal block; on failure reports it and returns false.
sub launch_nginx {
    my ($block) = @_;
    my $name = $block->name;

    # Nothing can work while another process holds the port (the real
    # module also bails out when nginx cannot be started).
    if (!wait_port_free($ServerPort, 3)) {
        bail_out("$name - port $ServerAddr:$ServerPort is in use by another "
                 . "process; stop it or choose another port with TEST_NGINX_PORT");
    }

    my ($status, $stderr, $cmd) = start_nginx();
    if ($status != 0) {
        Test::More::fail("$name - Cannot start nginx using command "
                         . "\"$cmd\" (status code $status).");
        Test::More::diag($stderr) if $stderr ne '';
        return 0;
    }

    # The pid file is written by the daemonized process shortly after the
    # start command returns; wait for it, the next stop relies on it.
    my $deadline = time + 2;
    sleep 0.01 until -s $PidFile || time > $deadline;

    sleep $TestNginxSleep;    # pacing: the real runner's TEST_NGINX_SLEEP after a start
    return 1;
}

# --- must_die: the start command must fail (with the given exit code, if
# one is given); --- error_log / --- no_error_log then apply to what nginx
# logged while failing.
sub check_must_die {
    my ($block, $must_die) = @_;
    my $name = $block->name;

    $ErrLogFilePos = 0;
    for my $i (0 .. $RepeatEach - 1) {
        my ($status, $stderr) = start_nginx();
        my $exit_code = $status >> 8;

        if ($status & 127) {
            Test::More::fail("$name - nginx was killed by signal " . ($status & 127));
        } elsif (looks_like_number($must_die)) {
            Test::More::is($exit_code, $must_die,
                           "$name - die with the expected exit code");
        } else {
            Test::More::isnt($status, 0, "$name - die as expected");
        }

        {
            # without "-e", what nginx logged while failing is only on stderr
            local @Test::Nginx::Util::StartupStderr =
                startup_log_to_file() ? () : split /\n/, $stderr;
            check_error_log($block, $i);
        }

        if ($status == 0) {
            warn "WARNING: $name - nginx must die but it does not; "
                 . "killing it (req $i)\n";
            my $deadline = time + 2;
            sleep 0.01 until -s $PidFile || time > $deadline;
            stop_nginx($name);
        }
    }
}

# "--- skip_nginx: 3: < 1.21.0", "--- skip_nginx2: ...", "--- skip_eval".
# Returns (should_skip, number_of_tests, reason).
sub skip_spec {
    my ($block) = @_;
    my ($should_skip, $count, $reason);
    my $ver = qr/(\d+)\.(\d+)\.(\d+)/;

    if (defined(my $spec = $block->skip_eval)) {
        $spec =~ /^\s*(\d+)\s*:\s*(.*)/s
            or die "Invalid --- skip_eval spec: $spec\n";
        ($count, $reason) = ($1, 'skip_eval');
        my $code = $2;
        $should_skip = eval "package main;\n$code";
        die "skip_eval - failed to eval the Perl code \"$code\": $@" if $@;
    }

    if (defined(my $spec = $block->skip_nginx)) {
        $spec =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*$ver(?:\s*:\s*(.*))?\s*$/
            or die "Invalid --- skip_nginx spec: $spec\n";
        $count = $1;
        my ($op, $want) = ($2, get_canon_version($3, $4, $5));
        $reason = $6 || "nginx version $op $3.$4.$5";
        $should_skip = 1 if version_cmp($op, $want);

    } elsif (defined(my $spec2 = $block->skip_nginx2)) {
        $spec2 =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*$ver\s*(or|and)\s*([<>]=?)\s*$ver
                   (?:\s*:\s*(.*))?\s*$/x
            or die "Invalid --- skip_nginx2 spec: $spec2\n";
        $count = $1;
        my $first  = version_cmp($2, get_canon_version($3, $4, $5));
        my $second = version_cmp($7, get_canon_version($8, $9, $10));
        $reason = $11;
        $should_skip = 1 if $6 eq 'or' ? ($first || $second) : ($first && $second);
    }

    return ($should_skip, $count, $reason // 'various reasons');
}

sub version_cmp {
    my ($op, $want) = @_;
    my $have = $NginxVersion;
    return $op eq '<'  ? $have <  $want
         : $op eq '<=' ? $have <= $want
         : $op eq '>'  ? $have >  $want
         :               $have >= $want;
}

# "--- todo: 2: reason"
sub todo_spec {
    my ($block) = @_;
    my $spec = $block->todo;
    return unless defined $spec;
    $spec =~ /^\s*(\d+)\s*:\s*(.*)/s or die "Invalid --- todo spec: $spec\n";
    return (1, $1, $2 || 'various reasons');
}

#==========================================================================
# Requests
#==========================================================================

# One repetition of a block: send each request, check each response, then
# check the logs.
sub run_requests {
    my ($block, $rep_idx) = @_;
    my $name = $block->name;

    my $requests = requests_from_block($block);
    my $timeout = parse_time($block->timeout) // $Timeout;
    my $need_array = @$requests > 1;

    for my $req_idx (0 .. $#$requests) {
        my ($raw_resp, $is_head) = send_request($block, $requests->[$req_idx], $timeout);

        if (!defined $block->ignore_response) {
            my ($res, $raw_headers) = parse_response($name, $raw_resp, $is_head);
            my @args = ($block, $res, $raw_headers // '', $req_idx, $need_array);
            check_error_code(@args);
            check_raw_response_headers(@args);
            check_response_headers(@args);
            transform_response_body(@args);
            check_response_body(@args, $rep_idx);
        }

        if ($req_idx < $#$requests) {
            sleep $block->wait if $block->wait;    # pacing: the block's own --- wait
            check_error_log($block, $rep_idx);
            check_access_log($block, $rep_idx) unless defined $block->ignore_response;
        }
    }

    sleep $block->wait if $block->wait;    # pacing: the block's own --- wait

    if ($block->stap) {
        SKIP: {
            Test::More::skip("$name - stap_out - tests skipped due to "
                             . "env TEST_NGINX_USE_STAP is not set", 1);
        }
    }

    check_error_log($block, $rep_idx);
    check_access_log($block, $rep_idx) unless defined $block->ignore_response;
}

# Returns the requests of a block: a list of requests, each a list of
# packets ({ value => bytes, delay_before => seconds }) sent in turn.
sub requests_from_block {
    my ($block) = @_;
    my $name = $block->name;

    if (defined(my $raw = $block->raw_request)) {
        my @packets = ref $raw eq 'ARRAY' ? @$raw : ($raw);
        return [[ map { ref $_ ? $_ : { value => $_ } } @packets ]];
    }

    my $request;
    if (defined $block->request_eval) {
        $request = eval $block->request_eval;
        warn $@ if $@;
    } else {
        $request = $block->request;
    }
    die "Request line should be non-empty (no --- request section)\n"
        unless defined $request;

    my $more_headers = $block->more_headers // '';
    my $headers_for = sub {
        my ($i) = @_;
        return $more_headers unless ref $more_headers eq 'ARRAY';
        return $more_headers->[$i]
            // die "--- more_headers lacks data for the ${i}th request\n";
    };

    if (!ref $request) {
        # leading blank lines and "# comment" lines are allowed
        1 while $request =~ s/^\s*\#[^\n]+\s+|^\s+//gs;

        my $body = $block->request_body;
        if (defined $body && !$WarnedRequestBody++) {
            Test::More::diag("$name - \"--- request_body\" is an extension of "
                . "this runner that the real Test::Nginx ignores; put the body "
                . "after the request line in \"--- request\" instead");
        }
        return [[{ value => build_request($name, $request, $headers_for->(0), $body) }]];
    }

    if (ref $request eq 'ARRAY') {
        my @requests;
        for my $i (0 .. $#$request) {
            my $one = $request->[$i];
            die "requests split into packets (array in --- request) are not "
                . "supported by this Test::Nginx runner\n" if ref $one;
            push @requests, [{ value => build_request($name, $one, $headers_for->($i)) }];
        }
        return \@requests;
    }

    die "invalid --- request: MUST be string or array of requests\n";
}

# "--- more_headers" text -> ("Name: value\r\n"..., is_chunked)
sub parse_more_headers {
    my ($in) = @_;
    my ($out, $is_chunked) = ('', 0);
    for my $line (split /\n+/, $in) {
        next if $line =~ /^\s*\#/;
        my ($key, $val) = split /:\s*/, $line, 2;
        $val //= '';
        $is_chunked = 1 if lc $key eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $is_chunked);
}

# Turns "METHOD [URI [VERSION]]\nBODY" into the bytes of an HTTP request,
# adding Host, Connection and Content-Length headers like the real module
# (the body is whitespace-trimmed when the Content-Length is computed).
# $body_override is the --- request_body extension: sent exactly as given.
sub build_request {
    my ($name, $request, $more_headers, $body_override) = @_;

    my ($first, $content) = split /\n/, $request, 2;
    $first //= '';
    $first =~ /^\s*(\S+) *(?:(\S+) *)?(?:(\S+) *)?\s*$/
        or die "Request line is not valid. Should be 'meth [url [version]]' "
             . "but got \"$first\".\n";
    my ($meth, $url, $http_ver) = ($1, $2 // '/', $3 // 'HTTP/1.1');

    $content //= '';
    if (defined $body_override) {
        die "the body is given both in --- request and --- request_body\n"
            if $content =~ /\S/;
        $content = $body_override;
    }

    my ($hdrs, $is_chunked) = parse_more_headers($more_headers);

    my $len_header = '';
    if (!$is_chunked && $content ne '' && $hdrs !~ /(?:^|\n)Content-Length:/) {
        $content =~ s/^\s+|\s+$//gs unless defined $body_override;
        $len_header = "Content-Length: " . length($content) . "\r\n";
    }

    my $headers = '';
    $headers .= "Host: $ServerName\r\n"  if $hdrs !~ /(?:^|\n)Host:/i;
    $headers .= "Connection: close\r\n" if $hdrs !~ /(?:^|\n)Connection/i;
    $headers .= "$hdrs$len_header\r\n";

    return "$meth $url $http_ver\r\n$headers$content";
}

# Sends one request and reads the response until the server closes the
# connection.  $timeout limits each wait for the socket (like the real
# module: it is not a limit on the whole exchange).
sub send_request {
    my ($block, $packets, $timeout) = @_;
    my $name = $block->name;

    my $all = join '', map { $_->{value} } @$packets;
    my $is_head = $all =~ /^\s*HEAD\s+/ ? 1 : 0;

    my $addr = $block->server_addr_for_client // $ServerAddr;
    my $sock;
    for my $try (1 .. 20) {
        $sock = IO::Socket::INET->new(
            PeerAddr => $addr,
            PeerPort => $ServerPortForClient,
            Proto    => 'tcp',
            Timeout  => $timeout,
        );
        last if $sock;
        sleep min(0.02 * $try, 0.2);
    }
    if (!$sock) {
        Test::More::fail("$name - Can't connect to $addr:$ServerPortForClient: $! (aborted)");
        return (undef, $is_head);
    }
    $sock->blocking(0);

    local $SIG{PIPE} = 'IGNORE';
    my $sel = IO::Select->new($sock);
    my $resp = '';
    my $timed_out;

    # write the packets (with the requested delays) ...
    my $middle_delay = $block->raw_request_middle_delay;
    PACKET:
    for my $i (0 .. $#$packets) {
        my $delay = $packets->[$i]{delay_before} // ($i > 0 ? $middle_delay : undef);
        sleep $delay if $delay;    # pacing: the block's raw_request_middle_delay / delay_before

        my $buf = $packets->[$i]{value};
        my $off = 0;
        while ($off < length $buf) {
            if (!wait_for_socket($sel, 'can_write', $timeout)) {
                $timed_out = 1;
                last PACKET;
            }
            my $n = syswrite $sock, $buf, length($buf) - $off, $off;
            if (!defined $n) {
                next if $!{EAGAIN} || $!{EINTR};
                warn "WARNING: $name - write failed: $!\n";
                last PACKET;
            }
            $off += $n;
        }
    }

    if (!$timed_out && defined(my $how = $block->shutdown)) {
        shutdown $sock, ($how =~ /^\s*$/ ? 1 : $how);
    }

    # ... then read until EOF
    while (!$timed_out) {
        if (!wait_for_socket($sel, 'can_read', $timeout)) {
            $timed_out = 1;
            last;
        }
        my $n = sysread $sock, my $buf, 16384;
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EINTR};
            warn "WARNING: $name - HTTP response read failure: $!\n";
            last;
        }
        last if $n == 0;
        $resp .= $buf;
    }
    close $sock;

    if ($timed_out && !defined $block->abort) {
        Test::More::fail("ERROR: client socket timed out - $name");
    }
    return ($resp, $is_head);
}

# IO::Select wait that is not cut short by signals; false on timeout.
sub wait_for_socket {
    my ($sel, $method, $timeout) = @_;
    my $deadline = time + $timeout;
    while (1) {
        $! = 0;
        return 1 if $sel->$method(max(0, $deadline - time));
        return 0 unless $!{EINTR} && time < $deadline;
    }
}

#==========================================================================
# Responses
#==========================================================================

# Returns (response object or undef, raw header text).
sub parse_response {
    my ($name, $raw, $is_head) = @_;
    $raw //= '';

    my $raw_headers = $raw =~ /(.*?\r\n)\r\n/s ? $1 : '';
    my ($head, $body) = split /\r?\n\r?\n/, $raw, 2;
    $body //= '';

    my @lines = split /\r?\n/, $head // '';
    my $status_line = shift(@lines) // '';
    my ($code) = $status_line =~ m{^HTTP/\d+(?:\.\d+)?\s+(\d+)};

    my $res = Test::Nginx::Socket::Response->new(code => $code);
    for my $line (@lines) {
        if ($line =~ /^\s+(.*)/ && $res->{last_header}) {   # folded header
            $res->{last_header}[1] .= " $1";
        } elsif ($line =~ /^([^:\s]+)\s*:\s*(.*?)\s*$/) {
            push @{ $res->{headers} }, [$1, $2];
            $res->{last_header} = $res->{headers}[-1];
        }
    }

    if (defined $code && ($code == 304 || $code == 101)) {
        $res->content($body);
        return ($res, $raw_headers);
    }

    my $te  = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');

    if (defined $te && $te eq 'chunked') {
        my $decoded = decode_chunked($name, $body) // return (undef, $raw_headers);
        $res->content($decoded);

    } elsif (defined $len && $len =~ /^\d+$/) {
        if (length $body < $len) {
            warn "WARNING: $name - response body truncated: $len expected, "
                 . "but got " . length($body) . "\n" unless $is_head;
        } elsif (length $body > $len) {
            my $left = substr $body, $len;
            $body = substr $body, 0, $len;
            $left =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
            warn "WARNING: $name - unexpected extra bytes after last chunk in "
                 . "response: \"$left\"\n";
        }
        $res->content($body);

    } else {
        $res->content($body);
    }

    return ($res, $raw_headers);
}

# Decodes a chunked body; on malformed data reports a failure and returns
# undef.
sub decode_chunked {
    my ($name, $raw) = @_;
    my $decoded = '';
    pos($raw) = 0;
    while (1) {
        if ($raw =~ /\G0[ \t]*\r\n(?:[^\r\n]+\r\n)*\r\n/gc) {
            if ($raw =~ /\G(.+)/gcs) {
                warn "WARNING: $name - unexpected extra bytes after last chunk "
                     . "in response: \"$1\"\n";
            }
            return $decoded;
        }
        if ($raw =~ /\G[ \t]*([A-Fa-f0-9]+)[^\r\n]*\r\n/gc) {
            my $size = hex $1;
            if (length($raw) - pos($raw) < $size) {
                Test::More::fail("$name - invalid chunked data received "
                                 . "(not enought octets for the data section)");
                return undef;
            }
            $decoded .= substr $raw, pos($raw), $size;
            pos($raw) += $size;
            if ($raw !~ /\G\r\n/gc) {
                Test::More::fail("$name - invalid chunked data received (expected CRLF).");
                return undef;
            }
        } elsif ($raw =~ /\G(.+)/gcs) {
            Test::More::fail("$name - invalid chunked body received: $1");
            return undef;
        } else {
            Test::More::fail("$name - no last chunk found - $raw");
            return undef;
        }
    }
}

# Picks the expected value for request $req_idx: blocks with several
# requests need arrays of expectations.
sub get_indexed_value {
    my ($name, $value, $req_idx, $need_array) = @_;
    if ($need_array) {
        return $value->[$req_idx] if ref $value eq 'ARRAY';
        die "You asked for many requests, the expected results should be "
            . "arrays as well.\n";
    }
    return ref $value eq 'ARRAY' ? $value->[0] : $value;
}

sub check_error_code {
    my ($block, $res, $raw_headers, $req_idx, $need_array) = @_;
    my $name = $block->name;
    my $code = ($res && $res->code) || '';

    if (defined $block->error_code_like) {
        my $pat = get_indexed_value($name, $block->error_code_like, $req_idx, $need_array);
        Test::More::like($code, qr/$pat/sm, "$name - status code ok");
    } elsif (defined $block->error_code) {
        Test::More::is($code,
                       get_indexed_value($name, $block->error_code, $req_idx, $need_array),
                       "$name - status code ok");
    } else {
        Test::More::is($code, 200, "$name - status code ok");
    }
}

sub check_raw_response_headers {
    my ($block, $res, $raw_headers, $req_idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->raw_response_headers_like) {
        my $pat = get_indexed_value($name, $block->raw_response_headers_like,
                                    $req_idx, $need_array);
        Test::More::like($raw_headers, qr/$pat/s, "$name - raw resp headers like");
    }
    if (defined $block->raw_response_headers_unlike) {
        my $pat = get_indexed_value($name, $block->raw_response_headers_unlike,
                                    $req_idx, $need_array);
        Test::More::unlike($raw_headers, qr/$pat/s, "$name - raw resp headers unlike");
    }
}

sub check_response_headers {
    my ($block, $res, $raw_headers, $req_idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->response_headers) {
        my $expected = get_indexed_value($name, $block->response_headers,
                                         $req_idx, $need_array);
        for my $pair (@{ parse_headers($expected) }) {
            my ($key, $val) = @$pair;
            if (!defined $val) {
                Test::More::unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                                   "$name - header $key not present in the raw headers");
                next;
            }
            $val =~ s/\$ServerPort\b/$ServerPort/g;
            $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            my $actual = ($res ? $res->header($key) : undef) // '';
            Test::More::is($actual, $val, "$name - header $key ok");
        }

    } elsif (defined $block->response_headers_like) {
        my $expected = get_indexed_value($name, $block->response_headers_like,
                                         $req_idx, $need_array);
        for my $pair (@{ parse_headers($expected) }) {
            my ($key, $val) = @$pair;
            my $actual = ($res ? $res->header($key) : undef) // '';
            Test::More::like($actual, qr/^$val$/, "$name - header $key like ok");
        }
    }
}

# --- response_body_filters: names (md5_hex, sha1_hex, uc, lc, ucfirst,
# lcfirst, length), code refs, or arrays of them (2-D: one per request).
sub transform_response_body {
    my ($block, $res, $raw_headers, $req_idx) = @_;
    my $filters = $block->response_body_filters;
    return unless defined $filters && $res && defined $res->content;

    if (!ref $filters) {
        $filters =~ s/^\s+|\s+$//g;
        $filters = [split /\s+/, $filters];
    } elsif (ref $filters ne 'ARRAY') {
        $filters = [$filters];
    }
    if (ref $filters->[0] eq 'ARRAY') {
        $filters = $filters->[$req_idx]
            // die "the --- response_body_filters two-dimensional array "
                 . "unmatch the specified request($req_idx)\n";
    }

    my %builtin = (
        md5_hex  => \&Digest::MD5::md5_hex,
        sha1_hex => \&Digest::SHA::sha1_hex,
        uc       => sub { uc $_[0] },
        lc       => sub { lc $_[0] },
        ucfirst  => sub { ucfirst $_[0] },
        lcfirst  => sub { lcfirst $_[0] },
        length   => sub { length $_[0] },
    );

    my $content = $res->content;
    for my $f (ref $filters eq 'ARRAY' ? @$filters : $filters) {
        my $code = ref $f eq 'CODE' ? $f
                 : !ref $f          ? $builtin{$f}
                 :                    undef;
        die "unknown filter, \"$f\", specified in the --- response_body_filters "
            . "section\n" unless $code;
        $content = $code->($content);
    }
    $res->content($content);
}

sub check_response_body {
    my ($block, $res, $raw_headers, $req_idx, $need_array, $rep_idx) = @_;
    my $name = $block->name;
    my $content = $res ? $res->content : undef;

    if (defined $block->response_body || defined $block->response_body_eval) {
        my $expected;
        if ($block->response_body_eval) {
            $expected = eval get_indexed_value($name, $block->response_body_eval,
                                               $req_idx, $need_array);
            warn $@ if $@;
        } else {
            $expected = get_indexed_value($name, $block->response_body,
                                          $req_idx, $need_array);
        }

        if (defined $expected && $block->charset) {
            Encode::from_to($expected, 'UTF-8', $block->charset);
        }
        if (defined $expected && !ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        }

        if (ref $expected) {
            Test::More::like($content, $expected,
                "$name - response_body - like (repeated req $rep_idx, req $req_idx)");
        } else {
            Test::More::is($content, $expected,
                "$name - response_body - response is expected "
                . "(repeated req $rep_idx, req $req_idx)");
        }

    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike)
    {
        my ($type, $patterns) = defined $block->response_body_like
            ? ('like',   $block->response_body_like)
            : ('unlike', $block->response_body_unlike);

        my $pat = get_indexed_value($name, $patterns, $req_idx, $need_array);
        $pat =~ s/\$ServerPort\b/$ServerPort/g;
        $pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        my $summary = trim($content) // '';
        my $desc = "$name - response_body_$type - response is expected ($summary)";

        if ($type eq 'like') {
            Test::More::like($content, qr/$pat/s, $desc);
        } else {
            Test::More::unlike($content, qr/$pat/s, $desc);
        }
    }

    for my $check (@ResponseBodyChecks) {
        $check->($block, $content, $req_idx, $rep_idx, 0);
    }
}

#==========================================================================
# Logs
#==========================================================================

# A section value -> list of patterns: one substring per line, or the
# strings / qr// regexes of an "eval" array.
sub patterns_of {
    my ($pats) = @_;
    return [$pats] if ref $pats eq 'Regexp';
    return [@$pats] if ref $pats eq 'ARRAY';
    chomp $pats;
    return [split /\n+/, $pats];
}

sub line_matches {
    my ($line, $pat) = @_;
    return ref $pat ? $line =~ $pat : index($line, $pat) >= 0;
}

sub fmt_str {
    my ($s) = @_;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

# Every pattern of --- error_log must match a line; no pattern of
# --- no_error_log may match one.  Also --- grep_error_log(_out).  Only
# the part of error.log not checked before in this block is looked at.
sub check_error_log {
    my ($block, $rep_idx) = @_;
    my $name = $block->name;
    my $lines;

    if (defined(my $grep = $block->grep_error_log)) {
        my $pat = ref $grep eq 'ARRAY' ? $grep->[$rep_idx] : $grep;
        my $expected = $block->grep_error_log_out
            // die "No --- grep_error_log_out defined but --- grep_error_log is defined\n";
        $expected = $expected->[$rep_idx] if ref $expected eq 'ARRAY';

        $lines //= error_log_data();
        my $matched = '';
        for my $line (@$lines) {
            my $m = ref $pat ? ($line =~ $pat ? $& : undef)
                  : index($line, $pat) >= 0 ? $pat : undef;
            $matched .= "$m\n" if defined $m && $m !~ /\n/;
        }
        is_str($matched, $expected, "$name - grep_error_log_out (req $rep_idx)");
    }

    my %mentioned;
    for my $section (qw(error_log no_error_log)) {
        my $pats = $block->$section;
        next unless defined $pats;
        for my $level (qw(alert crit emerg)) {
            $mentioned{$level} = 1
                if grep { !ref $_ && index($_, "[$level") >= 0 } @{ patterns_of($pats) };
        }
        $lines //= error_log_data();
        check_log_patterns($name, $pats, $lines, $section eq 'error_log',
                           'error.log', $rep_idx);
    }

    # Like the real module: surface serious messages even when unchecked.
    $lines //= error_log_data();
    for my $line (@$lines) {
        for my $level (qw(alert crit emerg)) {
            if (!$mentioned{$level} && $line =~ /\[$level\]/) {
                warn "WARNING: $name - " . fmt_str($line) . "\n";
            }
        }
        if ($line =~ /\bAssertion .*?failed\b/) {
            Test::More::fail("$name - " . fmt_str($line));
        }
    }
}

sub check_access_log {
    my ($block, $rep_idx) = @_;
    my $lines;
    for my $section (qw(access_log no_access_log)) {
        my $pats = $block->$section;
        next unless defined $pats;
        $lines //= access_log_data();
        check_log_patterns($block->name, $pats, $lines, $section eq 'access_log',
                           'access.log', $rep_idx);
    }
}

# One test per pattern: it must (or must not) match a line of the log.
sub check_log_patterns {
    my ($name, $pats, $lines, $must_match, $file, $rep_idx) = @_;

    for my $pat (@{ patterns_of($pats) }) {
        next unless defined $pat;
        my ($hit) = grep { line_matches($_, $pat) } @$lines;
        my $p = fmt_str("$pat");

        if ($must_match) {
            if (defined $hit) {
                Test::More::pass("$name - pattern \"$pat\" matches a line in $file (req $rep_idx)");
            } else {
                Test::More::fail("$name - pattern \"$pat\" should match a line in $file (req $rep_idx)");
            }
        } elsif (defined $hit) {
            Test::More::fail("$name - pattern \"$p\" should not match any line in $file "
                             . "but matches line \"" . fmt_str($hit) . "\" (req $rep_idx)");
        } else {
            Test::More::pass("$name - pattern \"$p\" does not match a line in $file (req $rep_idx)");
        }
    }
}

#==========================================================================
# A minimal HTTP response (the real module uses HTTP::Response)
#==========================================================================

package Test::Nginx::Socket::Response;

sub new {
    my ($class, %args) = @_;
    return bless { code => $args{code}, headers => [], content => undef }, $class;
}

sub code { $_[0]{code} }

sub content {
    my $self = shift;
    $self->{content} = shift if @_;
    return $self->{content};
}

# Case-insensitive; several headers of the same name are joined by ", ".
sub header {
    my ($self, $name) = @_;
    my @vals = map { $_->[1] } grep { lc $_->[0] eq lc $name } @{ $self->{headers} };
    return @vals ? join(', ', @vals) : undef;
}

1;
