"""The Dockerfile's build stage copies every top-level folder CMakeLists.txt builds or installs
from, so `docker-compose up --build` cannot fail on a file the image lacks.

Usage: check_dockerfile.py REPO_ROOT"""

import os
import re
import sys

root = sys.argv[1]
with open(os.path.join(root, "CMakeLists.txt")) as f:
    needed = set(re.findall(r"\$\{PROJECT_SOURCE_DIR\}/([A-Za-z0-9_.-]+)/", f.read()))
with open(os.path.join(root, "Dockerfile")) as f:
    build_stage = f.read().split("\nFROM ")[1]  # [0] is the header comment
copied = set()
for sources in re.findall(r"^COPY\s+(?!--from)(.+)\s+\S+$", build_stage, re.M):
    copied.update(path.rstrip("/") for path in sources.split())
missing = sorted(needed - copied)
if missing:
    print("Dockerfile's build stage does not COPY %s, which CMakeLists.txt uses"
          % ", ".join(missing))
    sys.exit(1)
print("Dockerfile copies %s" % ", ".join(sorted(needed)))
