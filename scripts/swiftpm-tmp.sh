# Sourced by the scripts that build. SwiftPM leaves TemporaryDirectory.* folders and lock
# files in $TMPDIR after every build; this gives it a folder of its own, removed on exit,
# so a build or a test run leaves nothing in /tmp. Callers that need their own EXIT trap
# call swiftpm_tmp_cleanup from it.
SWIFTPM_TMP=$(mktemp -d /tmp/sharedblob-swiftpm.XXXXXX)
export TMPDIR="$SWIFTPM_TMP"
swiftpm_tmp_cleanup() { rm -rf "$SWIFTPM_TMP"; }
trap swiftpm_tmp_cleanup EXIT
