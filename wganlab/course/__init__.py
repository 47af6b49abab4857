"""The instructors' course tooling: the student-function registry and loader (functions), the
build of student notebooks and autograder zips (build), grading (grading) with its otter plugin
(guard), and the short trainings behind the convergence questions (convergence).

Students never need this subpackage; it ships in the wheel because the autograder zips install
the same wheel."""
