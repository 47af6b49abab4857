"""wganlab: Wasserstein GAN course assignments for Keras 3.

The library that student notebooks, reference solutions, the autograder and the tests share.
It deliberately holds no implementation of the functions students write (see DESIGN.md):
those live in the otter masters under ``solutions/`` and reach code through
:func:`wganlab.course.functions.load_functions`.
"""

import os

# TensorFlow logs C++ warnings to stderr at import; they drown notebook output and break
# printed-output comparisons in graders. Respect a user's explicit setting.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"
