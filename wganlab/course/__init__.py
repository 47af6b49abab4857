"""The instructors' course tooling: the student-function registry and loader (functions), the
build of student notebooks and autograder zips (build, handout), grading (grading) with its otter
plugin (guard, kernel_cell), the sealed grading protocol (protocol: names and snapshot; isolation:
the processes' runner; grading_process: one process), and the short trainings behind the
convergence questions (convergence).

The students' wheel keeps only what the public tests import (loss_checks, convergence); the full
wheel, which the autograder zips install, holds all of it (wganlab.course.handout)."""
