repo=$1 dest=$2 version=$3 lookup=$4
command -v git >/dev/null 2>&1 || { echo "git is not installed on the host; install git (e.g. with apt or package)" >&2; exit 7; }
if head=$(git -C "$dest" rev-parse --verify -q HEAD 2>/dev/null) && [ "$(git -C "$dest" rev-parse --show-toplevel 2>/dev/null)" -ef "$dest" ]; then
  echo "$head"
  if [ -n "$(git -C "$dest" status --porcelain --untracked-files=no)" ]; then echo dirty; else echo clean; fi
else echo absent; echo clean; fi
[ "$lookup" = 1 ] || exit 0
if [ "$version" = HEAD ]; then git ls-remote --symref -- "$repo" HEAD
else git ls-remote -- "$repo" "refs/heads/$version" "refs/tags/$version" "refs/tags/$version^{}"; fi
