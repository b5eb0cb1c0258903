strategy=$1; shift
for manager in "$@"; do
  case $manager in
    apt) command -v dpkg-query >/dev/null 2>&1 || continue; echo '@@ apt'; dpkg-query -W -f='${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\n' || exit 3 ;;
    rpm) command -v rpm >/dev/null 2>&1 || continue; echo '@@ rpm'; rpm -qa --qf '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{EPOCH}\t%{ARCH}\n' || exit 3 ;;
  esac
  [ "$strategy" = all ] || exit 0
done
