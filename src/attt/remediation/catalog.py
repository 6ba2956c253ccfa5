"""The remediation registry: per check id, an automatic ``Fix`` or the reason a person decides.

Every fix writes what the check reads (see the check's module in checks/ and its scenarios in
tests/checks/<check_id>/), with the level's values from the finding's parameters, and takes
effect the way ``effect`` says: ``now`` (files read at each login, sshd reloaded if running),
or ``boot`` (kernel parameters, audit rules, firewall: at the next boot, or at once with
``--apply-live``).  Files are attt's own where the software reads a drop-in folder, so a fix
never rewrites the distribution's file: sshd's first value wins, hence ``00-attt.conf``.
"""

from __future__ import annotations

from .actions import Block, Content, PamArg, Setting, Symlink
from .model import Empty, Fix, Handler, Human, Mentions, Present, ReadBefore

SSHD_DROP_IN = "/etc/ssh/sshd_config.d/00-attt.conf"
SYSCTL_FILE = "/etc/sysctl.d/60-attt.conf"
AUDIT_RULES = "/etc/audit/rules.d/attt.rules"
BANNER = "/etc/ssh/attt-banner.txt"
COMMON_PASSWORD = "/etc/pam.d/common-password"
# sshd reads SSHD_DROP_IN only through this line (Debian 11+, Ubuntu 20.04+, RHEL 9 have it).
SSHD_INCLUDE_CHECK = ("grep -Eqi '^[[:space:]]*Include[[:space:]]+(/etc/ssh/)?sshd_config\\.d/"
                      "\\*\\.conf' /etc/ssh/sshd_config")

HANDLERS: dict[str, Handler] = {
    # Reload only a running sshd (a tree or a host without systemd has nothing to reload);
    # the configuration was checked with 'sshd -t' before this runs.
    "sshd": Handler("Nạp lại cấu hình sshd nếu dịch vụ đang chạy",
                    "Reload sshd if it is running",
                    "if systemctl is-active --quiet ssh 2>/dev/null; then systemctl reload ssh; "
                    "elif systemctl is-active --quiet sshd 2>/dev/null; then "
                    "systemctl reload sshd; fi"),
    "sysctl": Handler("Áp dụng tham số nhân vào hệ thống đang chạy",
                      "Apply the kernel parameters to the running system",
                      f"sysctl -p {SYSCTL_FILE}", live_only=True),
    "auditd": Handler("Nạp quy tắc kiểm toán vào nhân", "Load the audit rules into the kernel",
                      "augenrules --load", live_only=True),
    "nftables": Handler("Nạp tường lửa nftables", "Load the nftables firewall",
                        "nft -f /etc/nftables.conf", live_only=True),
}


def _sshd(check: str, vi: str, en: str, options: dict[str, str],
          *extra: Content, caution: tuple[str, str] | None = None) -> Fix:
    settings = tuple(Setting(SSHD_DROP_IN, k, v, mode="0600",
                             validate="/usr/sbin/sshd -t -f %s") for k, v in options.items())
    return Fix(check, vi, en, (*extra, *settings), handlers=("sshd",), caution=caution)


# A value set in a sysctl.d file read after attt's (99-sysctl.conf, i.e. /etc/sysctl.conf)
# would win at boot: that file is the one to change, by a person who knows why it is there.
_SYSCTL_LAST = ReadBefore(("observed",), SYSCTL_FILE.rsplit("/", 1)[-1],
                          "giá trị được đặt ở tệp đọc sau /etc/sysctl.d/60-attt.conf: cần sửa "
                          "tại tệp đó",
                          "the value is set in a file read after /etc/sysctl.d/60-attt.conf: "
                          "change it there")


def _sysctl(check: str, vi: str, en: str, values: dict[str, str]) -> Fix:
    return Fix(check, vi, en, tuple(Setting(SYSCTL_FILE, k, v, sep=" = ")
                                    for k, v in values.items()),
               handlers=("sysctl",), effect="boot", conditions=(_SYSCTL_LAST,))


def _aging(check: str, key: str, param: str, bad: str, vi: str, en: str,
           path: str = "/etc/login.defs", sep: str = "\t") -> Fix:
    return Fix(check, vi, en, (Setting(path, key, "{" + param + "}", sep=sep, mode=None),),
               conditions=(Empty(("observed", bad),
                                 "có tài khoản đặt giá trị riêng (chage): cần xem xét từng "
                                 "tài khoản",
                                 "accounts have their own value (chage): review each one"),))


_PAM_STACK = Present(("observed", COMMON_PASSWORD),
                     "ngăn xếp mật khẩu không phải /etc/pam.d/common-password (Debian, Ubuntu)",
                     "the password stack is not /etc/pam.d/common-password (Debian, Ubuntu)")

_BANNER_TEXT = (
    "CANH BAO: He thong thong tin cua co quan nha nuoc. Chi nguoi duoc cap quyen moi duoc "
    "truy cap; moi hoat dong deu duoc ghi nhat ky va co the bi xu ly theo quy dinh cua phap "
    "luat.\n"
    "WARNING: State agency information system. Authorised users only; all activity is "
    "logged and may be acted upon under the law.\n")

_NFTABLES = (
    "#!/usr/sbin/nft -f\n"
    "# attt: inbound default deny; only loopback, replies and SSH are accepted.\n"
    "flush ruleset\n"
    "table inet filter {{\n"
    "  chain input {{\n"
    "    type filter hook input priority 0; policy drop;\n"
    "    iif lo accept\n"
    "    ct state established,related accept\n"
    "    meta l4proto {{ icmp, ipv6-icmp }} accept\n"
    "    tcp dport {{ {ssh_ports} }} accept\n"
    "  }}\n"
    "  chain forward {{\n"
    "    type filter hook forward priority 0; policy drop;\n"
    "  }}\n"
    "  chain output {{\n"
    "    type filter hook output priority 0; policy accept;\n"
    "  }}\n"
    "}}\n")

_FIXES: tuple[Fix, ...] = (
    _sshd("ssh.root_login_disabled", "Cấm đăng nhập SSH bằng tài khoản root",
          "Deny SSH login as root", {"PermitRootLogin": "no"},
          caution=("sau khi áp dụng, root không đăng nhập SSH được: hãy chạy bằng tài khoản "
                   "quản trị có sudo (ansible-playbook -b)",
                   "afterwards root cannot log in over SSH: run it as an admin account with "
                   "sudo (ansible-playbook -b)")),
    _sshd("ssh.password_auth_disabled", "Tắt xác thực SSH bằng mật khẩu",
          "Disable SSH password authentication",
          {"PasswordAuthentication": "no", "KbdInteractiveAuthentication": "no"},
          caution=("sau khi áp dụng, chỉ đăng nhập SSH được bằng khóa: hãy cài khóa công khai "
                   "cho các tài khoản quản trị trước",
                   "afterwards SSH accepts keys only: install the admins' public keys first")),
    _sshd("ssh.empty_passwords_denied", "Cấm mật khẩu rỗng khi đăng nhập SSH",
          "Deny empty passwords over SSH", {"PermitEmptyPasswords": "no"}),
    _sshd("ssh.max_auth_tries_limited", "Giới hạn số lần xác thực SSH",
          "Limit SSH authentication attempts", {"MaxAuthTries": "{max_auth_tries}"}),
    _sshd("ssh.x11_forwarding_disabled", "Tắt chuyển tiếp X11 qua SSH",
          "Disable SSH X11 forwarding", {"X11Forwarding": "no"}),
    _sshd("ssh.login_grace_time_limited", "Giới hạn thời gian đăng nhập SSH",
          "Limit the SSH login grace time", {"LoginGraceTime": "{max_seconds}"}),
    _sshd("ssh.idle_timeout_set", "Đóng phiên SSH không hoạt động",
          "Close idle SSH sessions",
          {"ClientAliveInterval": "{max_idle_seconds}", "ClientAliveCountMax": "1"}),
    _sshd("ssh.host_based_auth_disabled", "Tắt xác thực SSH theo máy (host-based)",
          "Disable SSH host-based authentication",
          {"HostbasedAuthentication": "no", "IgnoreRhosts": "yes"}),
    _sshd("ssh.strong_crypto", "Chỉ dùng thuật toán mật mã SSH mạnh",
          "Offer only strong SSH algorithms",
          {"Ciphers": "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,"
                      "aes128-gcm@openssh.com,aes256-ctr,aes128-ctr",
           "MACs": "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
                   "umac-128-etm@openssh.com",
           "KexAlgorithms": "curve25519-sha256,curve25519-sha256@libssh.org,"
                            "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512",
           "HostKeyAlgorithms": "ssh-ed25519,rsa-sha2-512,rsa-sha2-256"}),
    _sshd("ssh.warning_banner_set", "Hiển thị cảnh báo trước khi đăng nhập SSH",
          "Show a warning before SSH login", {"Banner": BANNER},
          Content(BANNER, _BANNER_TEXT)),
    _aging("accounts.password_max_age", "PASS_MAX_DAYS", "max_days",
           "accounts_max_days_not_ok", "Đặt thời hạn tối đa của mật khẩu",
           "Set the maximum password age"),
    _aging("accounts.password_min_age", "PASS_MIN_DAYS", "min_days",
           "accounts_min_days_not_ok", "Đặt thời gian tối thiểu giữa hai lần đổi mật khẩu",
           "Set the minimum password age"),
    _aging("accounts.password_warn_age", "PASS_WARN_AGE", "min_days",
           "accounts_warn_days_not_ok", "Đặt thời gian cảnh báo trước khi mật khẩu hết hạn",
           "Set the password expiry warning"),
    _aging("accounts.inactive_disabled", "INACTIVE", "max_inactive_days",
           "accounts_inactive_not_ok", "Khóa tài khoản không hoạt động",
           "Disable inactive accounts", path="/etc/default/useradd", sep="="),
    Fix("password.min_length", "Đặt độ dài tối thiểu của mật khẩu",
        "Set the minimum password length",
        (PamArg(COMMON_PASSWORD, "password", "pam_unix", "minlen", "{min_length}"),),
        conditions=(_PAM_STACK,)),
    Fix("password.history_remembered", "Ghi nhớ các mật khẩu đã dùng",
        "Remember previous passwords",
        (PamArg(COMMON_PASSWORD, "password", "pam_unix", "remember", "{remember}"),),
        conditions=(_PAM_STACK,)),
    # minclass as a module argument: it wins over pwquality.conf.  Without the module (package
    # libpam-pwquality) the stack has nothing to set: installing software is the agency's call.
    Fix("password.complexity_classes", "Bắt buộc mật khẩu kết hợp nhiều loại ký tự",
        "Require a mix of character classes",
        (PamArg(COMMON_PASSWORD, "password", "pam_pwquality", "minclass", "{min_classes}"),),
        conditions=(_PAM_STACK,
                    Mentions(("observed", COMMON_PASSWORD), "pam_pwquality",
                             "cần cài gói libpam-pwquality (quyết định thay đổi phần mềm) rồi "
                             "đặt minclass",
                             "needs the libpam-pwquality package (a software change "
                             "decision), then minclass"))),
    Fix("shell.session_timeout", "Tự động đóng phiên shell không hoạt động",
        "Close idle shell sessions",
        (Content("/etc/profile.d/attt-tmout.sh",
                 "TMOUT={max_seconds}\nreadonly TMOUT\nexport TMOUT\n"),),
        conditions=(Empty(("observed", "assignments"),
                          "TMOUT đã được gán ở tệp khác: cần sửa tại đó",
                          "TMOUT is assigned in another file: change it there"),)),
    _sysctl("kernel.redirects_ignored", "Không nhận và không gửi gói ICMP redirect",
            "Neither accept nor send ICMP redirects",
            dict.fromkeys((
                           "net.ipv4.conf.all.accept_redirects",
                           "net.ipv4.conf.default.accept_redirects",
                           "net.ipv6.conf.all.accept_redirects",
                           "net.ipv6.conf.default.accept_redirects",
                           "net.ipv4.conf.all.send_redirects",
                           "net.ipv4.conf.default.send_redirects"), "0")),
    _sysctl("kernel.source_route_rejected", "Từ chối gói tin định tuyến theo nguồn",
            "Reject source-routed packets",
            dict.fromkeys((
                           "net.ipv4.conf.all.accept_source_route",
                           "net.ipv4.conf.default.accept_source_route",
                           "net.ipv6.conf.all.accept_source_route",
                           "net.ipv6.conf.default.accept_source_route"), "0")),
    _sysctl("kernel.syn_cookies_enabled", "Bật TCP SYN cookies", "Enable TCP SYN cookies",
            {"net.ipv4.tcp_syncookies": "1"}),
    _sysctl("kernel.aslr_full", "Bật ngẫu nhiên hóa bố trí bộ nhớ (ASLR) đầy đủ",
            "Enable full address space layout randomisation",
            {"kernel.randomize_va_space": "2"}),
    _sysctl("kernel.core_dumps_restricted", "Hạn chế kết xuất bộ nhớ của chương trình set-uid",
            "Restrict core dumps of set-uid programs", {"fs.suid_dumpable": "0"}),
    _sysctl("kernel.dmesg_restricted", "Hạn chế đọc nhật ký nhân", "Restrict the kernel log",
            {"kernel.dmesg_restrict": "1"}),
    Fix("audit.rules_logins", "Kiểm toán các bản ghi đăng nhập", "Audit login records",
        (Block(AUDIT_RULES, "audit.rules_logins", ("-w {item} -p wa -k logins",)),),
        handlers=("auditd",), effect="boot", each="required_watches"),
    Fix("audit.rules_privileged", "Kiểm toán việc sử dụng đặc quyền", "Audit privilege use",
        (Block(AUDIT_RULES, "audit.rules_privileged", (
            "-w /etc/sudoers -p wa -k scope", "-w /etc/sudoers.d -p wa -k scope",
            "-a always,exit -F arch=b64 -S execve -C euid!=uid -F auid!=unset "
            "-k user_emulation",
            "-a always,exit -F arch=b32 -S execve -C euid!=uid -F auid!=unset "
            "-k user_emulation",
            "-a always,exit -F path=/usr/bin/{item} -F perm=x -F auid>=1000 -F auid!=unset "
            "-k privileged")),),
        handlers=("auditd",), effect="boot", each="commands"),
    Fix("audit.rules_config_changes", "Kiểm toán thay đổi cấu hình và đồng hồ",
        "Audit configuration and clock changes",
        (Block(AUDIT_RULES, "audit.rules_config_changes", (
            "-w {item} -p wa -k identity",
            "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change",
            "-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime,stime "
            "-k time-change")),),
        handlers=("auditd",), effect="boot", each="required_watches"),
    # Read last (sudo skips names with a dot): its Defaults win over earlier ones.
    Fix("sudo.logging_enabled", "Ghi nhật ký sudo và chạy lệnh trong pty riêng",
        "Log sudo and run commands in their own pty",
        (Content("/etc/sudoers.d/zz-attt", "Defaults syslog=authpriv\nDefaults use_pty\n",
                 mode="0440", validate="/usr/sbin/visudo -cf %s"),)),
    Fix("logging.journald_persistent", "Lưu nhật ký systemd journal bền vững",
        "Keep the systemd journal persistent",
        (Content("/etc/systemd/journald.conf.d/60-attt.conf", "[Journal]\nStorage=persistent\n"),),
        effect="boot"),
    Fix("firewall.default_deny_input", "Tường lửa máy chủ mặc định chặn chiều vào",
        "Host firewall denies inbound traffic by default",
        (Content("/etc/nftables.conf", _NFTABLES, mode="0755"),
         Symlink("/etc/systemd/system/sysinit.target.wants/nftables.service",
                 "/lib/systemd/system/nftables.service")),
        handlers=("nftables",), effect="boot",
        caution=("tường lửa chỉ mở SSH: hãy bổ sung các dịch vụ khác của máy vào "
                 "/etc/nftables.conf trước khi khởi động lại",
                 "the firewall opens SSH only: add the host's other services to "
                 "/etc/nftables.conf before the next boot"),
        conditions=(Empty(("observed", "default_deny"),
                          "đã có tường lửa khác (ufw, firewalld, iptables): cần xem xét",
                          "another firewall is configured (ufw, firewalld, iptables): "
                          "review it"),)),
)

_HUMAN: tuple[Human, ...] = (
    Human("antivirus.running", "chọn và cài sản phẩm phòng chống mã độc của cơ quan",
          "choose and install the agency's anti-malware product"),
    Human("antimalware.centrally_managed", "đăng ký sản phẩm phòng chống mã độc với máy chủ "
          "quản trị tập trung của cơ quan", "enrol the anti-malware product with the agency's "
          "management console"),
    Human("antimalware.signatures_fresh", "cập nhật mẫu nhận diện theo sản phẩm đang dùng",
          "update the signatures the way the product does"),
    Human("logging.remote_forwarding", "cần địa chỉ máy chủ thu thập nhật ký của cơ quan",
          "needs the address of the agency's log collector"),
    Human("logging.retention_months", "chọn chính sách xoay vòng và lưu trữ nhật ký",
          "choose the log rotation and retention policy"),
    Human("monitoring.national_agent", "cài đặt phần mềm giám sát của cơ quan chức năng theo "
          "hướng dẫn được cấp", "install the national monitoring agent as instructed"),
    Human("monitoring.siem_agent", "chọn hệ thống SIEM và địa chỉ máy chủ thu thập",
          "choose the SIEM and its collector address"),
    Human("monitoring.system_agent", "chọn hệ thống giám sát và máy chủ giám sát",
          "choose the monitoring system and its server"),
    Human("time.synchronised", "cần địa chỉ máy chủ thời gian (NTP) của cơ quan",
          "needs the agency's time (NTP) server"),
    Human("ssh.access_restricted", "chọn các tài khoản hoặc nhóm được phép đăng nhập SSH",
          "choose the accounts or groups allowed to log in over SSH"),
    Human("ssh.non_default_port", "chọn cổng SSH và mở cổng đó trên tường lửa",
          "choose the SSH port and open it in the firewalls"),
    Human("password.lockout_configured", "thay đổi ngăn xếp xác thực PAM (pam_faillock) cần "
          "được kiểm tra trên từng máy", "a change of the PAM auth stack (pam_faillock) must "
          "be reviewed on each host"),
    Human("mac.enforcing", "chọn và kiểm thử hồ sơ AppArmor hoặc SELinux",
          "choose and test AppArmor or SELinux profiles"),
    Human("kernel.ip_forwarding_disabled", "máy có thể cần chuyển tiếp gói tin (container, "
          "VPN): cần xác nhận", "the host may need forwarding (containers, VPN): confirm"),
    Human("updates.security_pending", "cập nhật trong thời gian bảo trì đã thống nhất",
          "update within the agreed maintenance window"),
    Human("updates.last_update_age", "cập nhật trong thời gian bảo trì đã thống nhất",
          "update within the agreed maintenance window"),
    Human("audit.auditd_running", "cài đặt và khởi động auditd (thay đổi phần mềm)",
          "install and start auditd (a software change)"),
    Human("accounts.system_accounts_no_login", "xác nhận tài khoản hệ thống nào cần shell",
          "confirm which system accounts need a shell"),
    Human("accounts.uid0_only_root", "xử lý tài khoản có UID 0 ngoài root",
          "deal with the accounts other than root that have UID 0"),
    Human("accounts.no_empty_passwords", "khóa hoặc đặt mật khẩu cho tài khoản có mật khẩu "
          "rỗng", "lock or set a password on the accounts with an empty one"),
    Human("sudo.no_nopasswd_all", "xem xét các quy tắc sudo NOPASSWD",
          "review the sudo NOPASSWD rules"),
    Human("files.world_writable_none", "xem xét các tệp ai cũng ghi được",
          "review the world-writable files"),
    *(Human(f"services.{name}", "gỡ gói phần mềm sau khi xác nhận không còn ai sử dụng",
            "remove the package once nobody is confirmed to use it")
      for name in ("telnet_absent", "rsh_absent", "tftp_absent", "xinetd_absent",
                   "ftp_plaintext_absent", "snmp_v1v2c_public_absent")),
    *(Human(check, "cần quy hoạch địa chỉ IPv6 của mạng", "needs the network's IPv6 plan")
      for check in ("ipv6.enabled", "ipv6.global_address", "ipv6.default_route",
                    "ipv6.resolver_reachable", "net.ipv6_readiness")),
    Human("logging.rsyslog_running", "cài đặt và bật rsyslog (thay đổi phần mềm)",
          "install and enable rsyslog (a software change)"),
    Human("files.sensitive_permissions", "xem xét chủ sở hữu và quyền của các tệp được nêu",
          "review the owner and mode of the files named"),
    Human("antimalware.coverage", "cài phần mềm phòng chống mã độc cho các máy được nêu",
          "install the anti-malware product on the computers named"),
)

FIXES: dict[str, Fix] = {f.check: f for f in _FIXES}
HUMAN: dict[str, Human] = {h.check: h for h in _HUMAN}

__all__ = ["FIXES", "HANDLERS", "HUMAN", "SSHD_INCLUDE_CHECK"]
