# The service as shipped: conf/prism-host.service runs prism-host as the
# user prism (never root), with sd_notify readiness, the directories
# systemd creates for it (/run/prism for the pid file — ProtectSystem=strict
# leaves nothing else writable —, /var/lib/prism, /var/log/prism), and
# hardening to an exposure of at most 2.5 in `systemd-analyze security`
# (offline: nothing is installed or started).  The packaged configuration
# (debian/prism-host.json) writes only where the unit lets it, and
# `make install` puts the nginx module where `load_module modules/...`
# looks: nginx's own --modules-path.
use strict;
use warnings;
use File::Temp ();
use FindBin;
use JSON::PP;
use Test::More;

my $root = "$FindBin::Bin/../..";
sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; return scalar <$fh> }

my $unit = slurp("$root/conf/prism-host.service");
# directive(NAME): the values NAME is given in the unit.
sub directive { my ($name) = @_; return ($unit =~ /^\Q$name\E=(.*)$/mg) }

is_deeply([directive('User')], ['prism'], 'User=prism: the service never runs as root');
is_deeply([directive('Type')], ['notify'], 'Type=notify (sd_notify READY=1 once the workers run)');
is_deeply([directive('NotifyAccess')], ['main'], 'NotifyAccess=main: only the master');
is_deeply([directive('RuntimeDirectory')], ['prism'], 'RuntimeDirectory=prism (/run/prism)');
is_deeply([directive('StateDirectory')], ['prism'], 'StateDirectory=prism (/var/lib/prism)');
is_deeply([directive('LogsDirectory')], ['prism'], 'LogsDirectory=prism (/var/log/prism)');
is_deeply([directive('ProtectSystem')], ['strict'], 'ProtectSystem=strict');
like((directive('ExecStart'))[0], qr{^/usr/bin/prism-host -c /etc/prism/prism-host\.json$},
     'ExecStart: the packaged program and configuration');

SKIP: {
    my $sa = `systemd-analyze --version 2>/dev/null` // '';
    my ($v) = $sa =~ /^systemd (\d+)/;
    skip('systemd-analyze 252 or later needed for --offline', 2) unless $v && $v >= 252;
    my $tmp = File::Temp->newdir;
    # offline analysis reads the file by its name
    open my $fh, '>', "$tmp/prism-host.service" or die; print $fh $unit; close $fh;
    my $out = `systemd-analyze security --offline=yes --no-pager $tmp/prism-host.service 2>&1`;
    my ($exposure) = $out =~ /Overall exposure level for prism-host\.service: ([\d.]+)/;
    ok(defined $exposure, 'systemd-analyze security rates the unit') or diag($out);
    diag("systemd-analyze security --offline=yes: exposure $exposure") if defined $exposure;
    cmp_ok($exposure // 99, '<=', 2.5, 'exposure at most 2.5') or diag($out);
}

my $conf = JSON::PP->new->decode(slurp("$root/debian/prism-host.json"));
like($conf->{pid_file}, qr{^/run/prism/[^/]+$}, "pid_file $conf->{pid_file} in the RuntimeDirectory");
like($conf->{log}{file}, qr{^/var/log/prism/[^/]+$}, "log.file $conf->{log}{file} in the LogsDirectory");
ok(!exists $conf->{user} && !exists $conf->{allow_root}, 'no "user" nor "allow_root": it runs as prism');
is(scalar(grep { $_->{plugin} !~ m{^/usr/lib/prism/plugins/\w+\.so$} } @{ $conf->{routes} }), 0,
   'every plugin from /usr/lib/prism/plugins');
is(scalar(grep { ($_->{output}{directory} // '/var/lib/prism/') !~ m{^/var/lib/prism/} } @{ $conf->{routes} }),
   0, 'local outputs only under the StateDirectory');

SKIP: {
    skip('no module built (make)', 2) unless -f "$root/build/nginx/objs/ngx_http_prism_module.so";
    my ($modules) = `/usr/sbin/nginx -V 2>&1` =~ /--modules-path=(\S+)/;
    skip('no system nginx with --modules-path', 2) unless $modules;
    my $dest = File::Temp->newdir;
    my $out = `make -s -C $root install DESTDIR=$dest 2>&1`;
    is($?, 0, 'make install DESTDIR=...') or diag($out);
    ok(-f "$dest$modules/ngx_http_prism_module.so",
       "make install: the module in nginx's --modules-path $modules, where load_module modules/... looks")
        or diag(`find $dest -name '*.so' -path '*nginx*'`);
}
done_testing();
