package Test::Nginx::Util;

# Test::Nginx::Util - settings, server root, nginx.conf generation and nginx
# process management for the prism project's Test::Nginx::Socket compatible
# runner.  The public entry point is Test::Nginx::Socket; see
# docs/testing-nginx.md for what is supported.
#
# The names of the package variables and functions follow openresty's
# Test::Nginx::Util, because test suites sometimes refer to them directly
# (e.g. $Test::Nginx::Util::ErrLogFile).  The code is an independent,
# much smaller implementation.

use strict;
use warnings;

use Carp qw(croak);
use Config ();
use Cwd ();
use File::Glob qw(bsd_glob);
use File::Path qw(make_path remove_tree);
use File::Spec ();
use File::Temp ();
use IO::Socket::INET ();
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);
use Test::More ();

use Exporter 'import';

our $VERSION = '0.01';

our @EXPORT = qw(
    $ServerAddr $ServerName $ServerPort $ServerPortForClient
    $ServRoot $HtmlDir $LogDir $ErrLogFile $AccLogFile $ConfDir $ConfFile
    $PidFile $NginxBinary $NginxVersion $NginxRawVersion
    $RepeatEach $NoShuffle $NoNginxManager $NoLongString $Timeout
    $LogLevel $TestNginxSleep $PrevConfig $ErrLogFilePos $Verbose
    @BlockPreprocessors

    add_block_preprocessor add_cleanup_handler bail_out cleanup
    check_accum_error_log config_preamble env_to_nginx html_dir is_str
    log_level master_off master_on master_process_enabled no_long_string
    no_nginx_manager no_root_location no_shuffle repeat_each server_addr
    server_name server_port server_port_for_client server_root sleep_time
    timeout use_hup verbose worker_connections workers

    access_log_data error_log_data expand_env_in_text get_canon_version
    get_nginx_version init_run is_running parse_headers parse_time
    setup_server_root show_all_chars start_nginx startup_log_to_file
    stop_nginx trim
    wait_port_free write_config_file write_user_files
);

#--------------------------------------------------------------------------
# Settings (environment variables first, then the functions below)
#--------------------------------------------------------------------------

our $Verbose        = $ENV{TEST_NGINX_VERBOSE};
our $NoShuffle      = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $NoNginxManager = $ENV{TEST_NGINX_NO_NGINX_MANAGER} || 0;
our $Timeout        = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $TestNginxSleep = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $LogLevel       = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $LoadModules    = $ENV{TEST_NGINX_LOAD_MODULES};
our $WorkerUser     = $ENV{TEST_NGINX_WORKER_USER};
our $Randomize      = $ENV{TEST_NGINX_RANDOMIZE};
our $CheckAccumErrLog = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};

our $MasterProcessEnabled =
    ($ENV{TEST_NGINX_MASTER_PROCESS} // '') =~ /^(?:on|1|yes)$/i ? 'on' : 'off';
our $DaemonEnabled  = 'on';

our $RepeatEach        = 1;
our $Workers           = 1;
our $WorkerConnections = 64;
our $NoRootLocation    = 0;
our $NoLongString;
our $ConfigPreamble    = '';

# This runner always binds to (and connects to) the loopback address only.
our $ServerAddr = '127.0.0.1';
our $ServerName = 'localhost';
our $ServerPort = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;

our $NginxBinary = $ENV{TEST_NGINX_BINARY} || default_nginx_binary();
our ($NginxVersion, $NginxRawVersion, $NginxBuildInfo);

our (@EnvToNginx, @BlockPreprocessors, @CleanupHandlers);

# Per-run state.
our $PrevConfig;            # the --- config of the nginx currently running
our $ErrLogFilePos = 0;     # how far error.log has been checked already
our @StartupStderr;         # stderr of a failed start (for --- must_die)

if ($Randomize) {
    $ServerPort = gen_rand_port()
        // die "Test::Nginx: cannot find a free port for TEST_NGINX_RANDOMIZE\n";
    $ServerPortForClient = $ServerPort;
}

our $ServRoot = $Randomize
    ? File::Spec->rel2abs("t/servroot_$ServerPort")
    : ($ENV{TEST_NGINX_SERVROOT} ? File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT})
                                 : File::Spec->rel2abs('t/servroot'));
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;

our $LogDir     = File::Spec->catfile($ServRoot, 'logs');
our $ErrLogFile = File::Spec->catfile($LogDir, 'error.log');
our $AccLogFile = File::Spec->catfile($LogDir, 'access.log');
our $HtmlDir    = File::Spec->catfile($ServRoot, 'html');
our $ConfDir    = File::Spec->catfile($ServRoot, 'conf');
our $ConfFile   = File::Spec->catfile($ConfDir, 'nginx.conf');
our $PidFile    = File::Spec->catfile($LogDir, 'nginx.pid');

# Only the process that loaded this module manages nginx; forked children
# (e.g. from a suite's own code) must not kill it from their END blocks.
my $OwnerPid = $$;

sub default_nginx_binary {
    for my $dir (split /\Q$Config::Config{path_sep}\E/, $ENV{PATH} // '') {
        next if $dir eq '';
        my $path = File::Spec->catfile($dir, 'nginx');
        return $path if -f $path && -x _;
    }
    return -x '/usr/sbin/nginx' ? '/usr/sbin/nginx' : 'nginx';
}

# Setters/getters: called with an argument they set, without one they get.
sub repeat_each (@)        { $RepeatEach = shift if @_; $RepeatEach }
sub workers (@)            { $Workers = shift if @_; $Workers }
sub worker_connections (@) { $WorkerConnections = shift if @_; $WorkerConnections }
sub log_level (@)          { $LogLevel = shift if @_; $LogLevel }
sub timeout (@)            { $Timeout = shift if @_; $Timeout }
sub server_addr (@)        { $ServerAddr = shift if @_; $ServerAddr }
sub server_name (@)        { $ServerName = shift if @_; $ServerName }
sub server_port (@)        { $ServerPort = shift if @_; $ServerPort }
sub server_port_for_client (@) {
    $ServerPortForClient = shift if @_;
    $ServerPortForClient;
}
sub master_process_enabled (@) {
    $MasterProcessEnabled = (shift() ? 'on' : 'off') if @_;
    $MasterProcessEnabled;
}

sub master_on ()             { $MasterProcessEnabled = 'on' }
sub master_off ()            { $MasterProcessEnabled = 'off' }
sub no_shuffle ()            { $NoShuffle = 1 }
sub no_root_location ()      { $NoRootLocation = 1 }
sub no_long_string ()        { $NoLongString = 1 }
sub no_nginx_manager ()      { $NoNginxManager = 1 }
sub check_accum_error_log () { $CheckAccumErrLog = 1 }
sub config_preamble ($)      { $ConfigPreamble = shift }
sub html_dir ()              { $HtmlDir }
sub server_root ()           { $ServRoot }
sub sleep_time               { $TestNginxSleep }
sub verbose                  { $Verbose }

sub use_hup () {
    warn "WARNING: use_hup() is not supported by this Test::Nginx runner; ignored\n";
}

sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler ($)    { unshift @CleanupHandlers, shift }

sub env_to_nginx (@) {
    croak "env_to_nginx: no arguments specified" unless @_;
    for my $v (@_) {
        croak "env_to_nginx: bad argument value: $v\n"
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

# String comparison that also accepts a qr// as the expected value.
sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($got, $expected, $desc)
        if ref $expected && ref $expected eq 'Regexp';
    return Test::More::is($got, $expected, $desc);
}

#--------------------------------------------------------------------------
# Small helpers
#--------------------------------------------------------------------------

# "50ms" -> 0.05, "2s" -> 2, "1.5" -> 1.5
sub parse_time ($) {
    my $tm = shift;
    return undef unless defined $tm;
    if ($tm =~ s/([^_a-zA-Z])ms$/$1/) {
        $tm /= 1000;
    } else {
        $tm =~ s/([^_a-zA-Z])s$/$1/;
    }
    return $tm;
}

sub trim ($) {
    my $s = shift;
    return undef unless defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\n/ /g;
    $s =~ s/\s{2,}/ /g;
    return $s;
}

sub show_all_chars ($) {
    my $s = shift;
    $s =~ s/\n/\\n/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\t/\\t/g;
    return $s;
}

# Parses "Name: value" lines ("!Name" means: must be absent, value undef).
# Returns a list of [name, value] pairs, one per distinct name, in order.
sub parse_headers ($) {
    my $s = shift;
    my (%seen, @headers);
    for my $line (split /\n/, $s // '') {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';
        my ($key, $val);
        if ($line =~ s/^!\s*//) {
            $key = $line;
        } else {
            ($key, $val) = split /\s*:\s*/, $line, 2;
            $val //= '';
        }
        if (exists $seen{$key}) {
            $headers[$seen{$key}][1] = $val;
        } else {
            $seen{$key} = @headers;
            push @headers, [$key, $val];
        }
    }
    return \@headers;
}

sub get_canon_version (@) {
    sprintf "%d.%03d%03d", $_[0], $_[1], $_[2];
}

sub gen_rand_port {
    my ($used) = @_;
    for (1 .. 1000) {
        my $port = 1985 + int rand 63000;
        next if $used && $used->{$port};
        return $port unless port_in_use($port);
    }
    return undef;
}

# True when something already listens on $ServerAddr:$port.  Binding (not
# connecting) is used so that no stray connection shows up in nginx's logs.
sub port_in_use {
    my ($port) = @_;
    my $sock = IO::Socket::INET->new(
        LocalAddr => $ServerAddr,
        LocalPort => $port,
        Proto     => 'tcp',
        ReuseAddr => 1,
    );
    return 0 if $sock;
    return $!{EADDRINUSE} ? 1 : 0;
}

sub wait_port_free {
    my ($port, $max_wait) = @_;
    my $deadline = time + $max_wait;
    while (port_in_use($port)) {
        return 0 if time > $deadline;
        sleep 0.05;    # poll: until the condition holds or the deadline
    }
    return 1;
}

sub bail_out (@) {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

sub cleanup () {
    $_->() for @CleanupHandlers;
    @CleanupHandlers = ();
}

#--------------------------------------------------------------------------
# nginx binary information
#--------------------------------------------------------------------------

sub get_nginx_version () {
    # "nginx -V" prints on stderr; run it without a shell, stderr merged.
    my $pid = open my $fh, '-|';
    bail_out("fork() failed: $!") unless defined $pid;
    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec'; exec { $NginxBinary } $NginxBinary, '-V'; }
        print "failed to execute $NginxBinary: $!\n";
        POSIX::_exit(127);
    }
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    if ($? != 0) {
        bail_out("Failed to run \"$NginxBinary -V\" (set TEST_NGINX_BINARY?): $out");
    }
    $NginxBuildInfo = $out;
    if ($out =~ m{(?:nginx|openresty)[^/]*/(\d+)\.(\d+)\.(\d+)}s
        || $out =~ m{\w+/(\d+)\.(\d+)\.(\d+)}s)
    {
        $NginxRawVersion = "$1.$2.$3";
        return get_canon_version($1, $2, $3);
    }
    bail_out("Failed to parse the output of \"$NginxBinary -V\": $out");
}

sub nginx_built_without {
    my ($module) = @_;
    return ($NginxBuildInfo // '') =~ /--without-\Q$module\E\b/;
}

# Called once by run_tests() before the first block.
sub init_run () {
    $NginxVersion = get_nginx_version();
    $ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;

    for my $mode (qw(USE_HUP USE_VALGRIND USE_STAP USE_HTTP2 USE_HTTP3
                     CHECK_LEAK BENCHMARK USE_RR))
    {
        warn "WARNING: TEST_NGINX_$mode is not supported by this Test::Nginx "
             . "runner; ignored\n" if $ENV{"TEST_NGINX_$mode"};
    }

    become_subreaper();

    # Make Ctrl-C and kill run our END block, so nginx is stopped.
    my %signo = (HUP => 1, INT => 2, TERM => 15);
    for my $sig (sort keys %signo) {
        $SIG{$sig} = sub { exit 128 + $signo{$sig} }
            if !defined $SIG{$sig} || $SIG{$sig} eq '' || $SIG{$sig} eq 'DEFAULT';
    }
}

# nginx daemonizes, so its process is re-parented.  Where the init process
# of a container does not reap children, a stopped nginx would linger as a
# zombie.  Becoming a "child subreaper" (Linux) makes the daemon our child,
# so we can reap it ourselves.  Best effort: failure is harmless.
sub become_subreaper {
    return unless $^O eq 'linux';
    my $nr = eval {
        package main;
        require 'syscall.ph';
        SYS_prctl();
    };
    if (!$nr) {
        my %table = (x86_64 => 157, aarch64 => 167, i686 => 172, i386 => 172);
        my ($arch) = $Config::Config{archname} =~ /^([^-]+)/;
        $nr = $table{$arch // ''} or return;
    }
    my $PR_SET_CHILD_SUBREAPER = 36;
    syscall($nr, $PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

#--------------------------------------------------------------------------
# Server root, user files and nginx.conf
#--------------------------------------------------------------------------

# Prepares an empty server root, with the real module's rule: only conf/,
# html/, logs/, *_temp and *_cache are removed (so a mis-pointed
# TEST_NGINX_SERVROOT cannot destroy unrelated data), then the server root
# itself with rmdir; anything else left in it (a suite's own file) bails
# out.  A suite keeps its state under html/, in a *_temp folder or outside
# the server root.
sub setup_server_root () {
    croak "bad server root \"$ServRoot\"" unless $ServRoot =~ m{^/.+};

    if (-d $ServRoot) {
        remove_tree($ConfDir, $HtmlDir, $LogDir,
                    bsd_glob("$ServRoot/*_temp"), bsd_glob("$ServRoot/*_cache"));
        rmdir $ServRoot
            or bail_out("Can't remove $ServRoot (not empty?): $!");
    }
    make_path($ServRoot, $ConfDir, $HtmlDir, $LogDir);

    my $index = "$HtmlDir/index.html";
    open my $out, '>', $index or die "Can't open $index for writing: $!\n";
    print $out '<html><head><title>It works!</title></head>'
             . '<body>It works!</body></html>';
    close $out;
}

# Replaces $TEST_NGINX_FOO with $ENV{TEST_NGINX_FOO}; $TEST_NGINX_RAND_PORT_N
# with a free port (the same one for the whole block).
sub expand_env_in_text ($$$) {
    my ($text, $name, $rand_ports) = @_;
    return undef unless defined $text;

    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        if ($var =~ /^TEST_NGINX_RAND_PORT_[0-9]+$/) {
            if (!defined $rand_ports->{$var}) {
                my %used = ($ServerPort => 1, map { $_ => 1 } values %$rand_ports);
                $rand_ports->{$var} = gen_rand_port(\%used)
                    // die "Cannot find an available listening port number for $var.\n";
            }
            $rand_ports->{$var};
        } elsif (!defined $ENV{$var}) {
            die "No environment $var defined."
                . ($var eq 'TEST_NGINX_HTML_DIR'
                   ? ' (the real Test::Nginx does not set it either: add'
                     . ' "$ENV{TEST_NGINX_HTML_DIR} ||= html_dir();" to the suite)'
                   : '')
                . "\n";
        } else {
            $ENV{$var};
        }
    }ge;

    return $text;
}

# --- user_files: either ">>> name [touch-date]" separated text, or an array
# of [name, body, date] triples.  Relative names go into the html dir.
sub write_user_files ($$) {
    my ($block, $rand_ports) = @_;
    my $files = $block->user_files;
    return unless $files;

    if (!ref $files) {
        my @parsed;
        for my $line (split /^/, $files) {
            if ($line =~ /^>>> (\S+)(?:\s+(.+))?/) {
                push @parsed, [$1, undef, $2];
            } elsif (@parsed) {
                $parsed[-1][1] .= $line;
            }
        }
        $files = \@parsed;
    } elsif (ref $files ne 'ARRAY') {
        die "wrong --- user_files value type: " . ref($files) . "\n";
    }

    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        if ($path =~ m{(.*)/} && !-d $1) {
            make_path($1);
        }
        $body = expand_env_in_text($body // '', $block->name, $rand_ports);
        open my $out, '>', $path or die "Cannot open $path for writing: $!\n";
        binmode $out;
        print $out $body;
        close $out;

        if ($date) {
            local $ENV{TZ} = 'GMT';
            system('touch', '-t', $date, $path) == 0
                or die "Failed to set the time of $path to $date\n";
        }
    }
}

sub write_config_file ($$$) {
    my ($block, $config, $rand_ports) = @_;
    my $name = $block->name;

    my $http_config      = expand_env_in_text($block->http_config, $name, $rand_ports) // '';
    my $main_config      = $block->main_config // '';
    my $post_main_config = expand_env_in_text($block->post_main_config, $name, $rand_ports) // '';
    my $err_log_file     = $block->error_log_file || $ErrLogFile;
    my $server_name      = $block->server_name // $ServerName;

    if ($LoadModules) {
        $main_config .= join ' ', map { "load_module $_;" } grep { $_ }
                                  split /\s+/, $LoadModules;
    }
    $main_config = expand_env_in_text($main_config, $name, $rand_ports);
    $config //= '';
    (my $quoted_server_name = $server_name) =~ s/(['\\])/\\$1/g;

    # Keep nginx's temporary files inside the server root (distribution
    # builds default to e.g. /var/lib/nginx/body).  Skipped when the test
    # configures them itself or the module is not built in.
    my $temp_paths = '';
    for my $kind (qw(client_body proxy fastcgi uwsgi scgi)) {
        my $directive = "${kind}_temp_path";
        next if "$http_config\n$config" =~ /\b\Q$directive\E\b/;
        next if $kind ne 'client_body' && nginx_built_without("http_${kind}_module");
        $temp_paths .= "    $directive $ServRoot/${kind}_temp;\n";
    }

    my $env = '';
    for my $v (qw(LD_PRELOAD LD_LIBRARY_PATH ASAN_OPTIONS), @EnvToNginx) {
        $env .= $v =~ /\s/ ? "env '$v';\n" : "env $v;\n";
    }

    my $root_location = $NoRootLocation ? '' : <<"_EOC_";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    my $user = '';
    if (defined $WorkerUser) {
        $user = "user $WorkerUser;\n";
    } elsif ($> == 0) {
        $user = "user root;\n";
    }

    open my $out, '>', $ConfFile or die "Can't open $ConfFile for writing: $!\n";
    print $out <<"_EOC_";
worker_processes  $Workers;
daemon $DaemonEnabled;
master_process $MasterProcessEnabled;
error_log $err_log_file $LogLevel;
pid       $PidFile;
$env
$main_config

http {
    access_log $AccLogFile;

    default_type text/plain;
    keepalive_timeout  68;

$temp_paths
$http_config

    server {
        listen          $ServerAddr:$ServerPort;
        server_name     '$quoted_server_name';

        client_max_body_size 30M;

        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

$root_location    }
}

$post_main_config

events {
    accept_mutex off;
    worker_connections  $WorkerConnections;
}
$user
_EOC_
    close $out or die "Can't write $ConfFile: $!\n";
}

#--------------------------------------------------------------------------
# nginx processes
#--------------------------------------------------------------------------

# Alive = exists and is not a zombie.  Our own exited children are reaped.
sub is_running ($) {
    my $pid = shift;
    return 0 unless $pid && kill 0, $pid;
    return 0 if waitpid($pid, WNOHANG) == $pid;
    if (open my $fh, '<', "/proc/$pid/stat") {
        my $stat = <$fh> // '';
        return 0 if $stat =~ /^\d+ \(.*\) Z/s;
    }
    return 1;
}

sub wait_for_exit {
    my ($pid, $max_wait) = @_;
    my $deadline = time + $max_wait;
    while (is_running($pid)) {
        return 0 if time > $deadline;
        sleep 0.02;    # poll: until the condition holds or the deadline
    }
    return 1;
}

sub read_pid_file {
    open my $in, '<', $PidFile or return undef;
    my $pid = <$in> // '';
    close $in;
    return $pid =~ /^\s*(\d+)/ ? $1 : undef;
}

# Gracefully stops an nginx (QUIT), escalating to TERM and then KILL of its
# whole process group.
sub kill_nginx {
    my ($pid, $name) = @_;
    return unless is_running($pid);

    kill 'QUIT', $pid;
    return if wait_for_exit($pid, $Timeout);

    warn "$name - timeout when waiting for nginx ($pid) to quit; sending TERM\n";
    kill 'TERM', $pid;
    return if wait_for_exit($pid, 1);

    warn "$name - WARNING: killing nginx ($pid) with force\n";
    my $pgrp = getpgrp($pid);
    kill 'KILL', (defined $pgrp && $pgrp == $pid) ? -$pid : $pid;
    wait_for_exit($pid, 1);
}

# Stops the nginx started from this server root, if any, and waits for its
# listening port to be released.
sub stop_nginx {
    my ($name) = @_;
    $name //= '';
    my $pid = read_pid_file();
    if ($pid) {
        kill_nginx($pid, $name);
    }
    unlink $PidFile if -f $PidFile;
    wait_port_free($ServerPort, 2) if $pid;
}

# nginx >= 1.19.5 has "-e file": messages logged before the config is read
# (e.g. "[emerg] unknown directive") then go to logs/error.log, as with an
# nginx built with the default --error-log-path.  Older ones print them on
# stderr only.
sub startup_log_to_file {
    return defined $NginxVersion && $NginxVersion >= 1.019005;
}

# Starts nginx (which daemonizes).  Returns the exit status of the start
# command, what it printed on stderr, and the command line.
sub start_nginx {
    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);

    push @cmd, '-e', $ErrLogFile if startup_log_to_file();

    my $err = File::Temp->new(TMPDIR => 1);
    my $pid = fork;
    die "fork() failed: $!\n" unless defined $pid;
    if ($pid == 0) {
        open STDIN,  '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>&', $err;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "failed to execute $cmd[0]: $!\n";
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $status = $?;

    seek $err, 0, 0;
    my $stderr = do { local $/; <$err> } // '';
    return ($status, $stderr, join ' ', @cmd);
}

#--------------------------------------------------------------------------
# Logs
#--------------------------------------------------------------------------

# Lines of error.log not seen by a previous call in the same block (unless
# check_accum_error_log), plus the stderr of a failed start.
sub error_log_data () {
    # give nginx time to write what the log phase logs after the response
    sleep $TestNginxSleep * 3;    # pacing: what the real runner does before reading a log

    my @lines;
    if (open my $in, '<', $ErrLogFile) {
        seek $in, $ErrLogFilePos, 0 if !$CheckAccumErrLog && $ErrLogFilePos > 0;
        @lines = <$in>;
        $ErrLogFilePos = tell $in unless $CheckAccumErrLog;
        close $in;
    }
    push @lines, map { "$_\n" } @StartupStderr;
    return \@lines;
}

sub access_log_data () {
    sleep $TestNginxSleep * 3;    # pacing: what the real runner does before reading a log
    open my $in, '<', $AccLogFile or return [];
    my @lines = <$in>;
    close $in;
    return \@lines;
}

#--------------------------------------------------------------------------
# Clean-up at exit
#--------------------------------------------------------------------------

END {
    if (defined $OwnerPid && $$ == $OwnerPid) {
        local ($?, $!, $@);
        cleanup();
        stop_nginx('END') unless $ENV{TEST_NGINX_NO_CLEAN};

        # reap whatever became our child (see become_subreaper)
        1 while waitpid(-1, WNOHANG) > 0;

        if ($Randomize && $ServRoot =~ m{/t/servroot_\d+$} && -d $ServRoot) {
            remove_tree($ServRoot);
        }
    }
}

1;
