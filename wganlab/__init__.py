"""wganlab: Wasserstein GAN course assignments for Keras 3.

The library that student notebooks, reference solutions, the autograder and the tests share.
It deliberately holds no implementation of the functions students write (README, "The student
functions"): those live in the otter masters under ``solutions/`` and reach code through
:func:`wganlab.course.functions.load_functions`.
"""

__version__ = "0.1.0"
