"""The Keras-fit baseline of ``wganlab bench``: a WGAN / WGAN-GP trained by ``model.fit``.

It reproduces how the Keras WGAN-GP example writes a WGAN-GP (a ``keras.Model`` subclass holding
the generator and the critic, whose ``train_step`` runs the critic loop), so that the benchmark
can compare the trainer's compiled step against it. ``train_step`` uses ``tf.GradientTape`` under
TensorFlow, is the stateless ``train_step(state, data)`` that Keras's JAX trainer requires under
JAX, and uses ``torch.autograd.grad`` under PyTorch. Nothing here imports Keras until it is used.
"""

from __future__ import annotations


def fit_data(real, batch: int, seed: int = 0):
    """An endless stream of ``batch`` real images for ``fit``: tf.data under TensorFlow, a
    :class:`keras.utils.PyDataset` elsewhere (no TensorFlow on JAX GPU machines)."""
    import keras
    import numpy as np

    real = np.asarray(real, dtype="float32")
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        images = tf.constant(real)
        return (tf.data.Dataset.range(len(real)).repeat().shuffle(len(real), seed=seed)
                .batch(batch, drop_remainder=True).map(lambda idx: tf.gather(images, idx))
                .prefetch(tf.data.AUTOTUNE))

    class RandomBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)

        @property
        def num_batches(self):
            return None  # endless: fit stops at steps_per_epoch

        def __getitem__(self, index):
            return real[self.rng.integers(0, len(real), size=batch)]

    return RandomBatches()


_FIT_MODEL = None


def fit_model_class():
    """The ``keras.Model`` subclass of the fit baseline (defined on first use: importing this
    module must not import Keras, which every ``wganlab`` command would then pay for)."""
    global _FIT_MODEL
    if _FIT_MODEL is not None:
        return _FIT_MODEL
    import keras

    class FitWGAN(keras.Model):
        """WGAN / WGAN-GP trained by ``fit``, written the way the Keras WGAN-GP example does it.

        One ``fit`` step receives ``n_critic * batch`` real images and runs ``n_critic`` critic
        updates (each on its own ``batch`` of them, like the paper and :mod:`wganlab.train`), then
        one generator update. The losses are ``objectives`` (:mod:`wganlab.bench.objectives`).
        """

        def __init__(self, generator, critic, objectives, config):
            from wganlab import train

            super().__init__(name="fit_wgan")
            self.generator = generator
            self.critic = critic
            self.objectives = objectives
            self.n_critic = int(config.n_critic)
            self.batch = int(config.batch_size)
            self.latent = int(generator.input_shape[-1])
            self.alpha_shape = (self.batch,) + (1,) * (len(critic.input_shape) - 1)
            self.seed_generator = keras.random.SeedGenerator(config.seed)
            self.c_optimizer = train.make_optimizer(config)
            self.g_optimizer = train.make_optimizer(config)
            self.c_optimizer.build(critic.trainable_variables)
            self.g_optimizer.build(generator.trainable_variables)
            if keras.backend.backend() == "jax":
                # Keras's JAX trainer threads one optimizer's state (``self.optimizer``, the
                # critic's) through its jitted step; tracking the generator optimizer's variables
                # as model state makes it thread them too (in non_trainable_variables).
                self.g_optimizer_state = list(self.g_optimizer.variables)
            self._layout = None
            self.built = True

        def compile(self, **kwargs):
            if keras.backend.backend() == "torch":
                # torch.compile cannot run the penalty's double backward (see _step_runner), so
                # fit runs the step eagerly, as the trainer does.
                kwargs.setdefault("jit_compile", False)
            super().compile(optimizer=self.c_optimizer, **kwargs)

        def train_step(self, *args):
            if keras.backend.backend() == "jax":
                return self._jax_train_step(*args)
            if keras.backend.backend() == "torch":
                return self._torch_train_step(*args)
            return self._tf_train_step(*args)

        # PyTorch: Keras's torch trainer calls train_step(data) eagerly; torch autograd
        # (torch.autograd.grad, the way the Keras torch custom train_step guide writes it).
        def _torch_train_step(self, data):
            import torch

            reals = keras.utils.unpack_x_y_sample_weight(data)[0]
            critic_vars = self.critic.trainable_variables
            for i in range(self.n_critic):
                real = reals[i * self.batch:(i + 1) * self.batch]
                z = keras.random.normal((self.batch, self.latent), seed=self.seed_generator)
                with torch.no_grad():
                    fake = self.generator(z, training=True)
                alpha = keras.random.uniform(self.alpha_shape, seed=self.seed_generator)
                c_loss = self.objectives.critic(self.critic, real, fake, alpha)
                grads = torch.autograd.grad(c_loss, [v.value for v in critic_vars])
                with torch.no_grad():
                    self.c_optimizer.apply(grads, critic_vars)
                    if self.objectives.constraint is not None:
                        self.objectives.constraint(self.critic)
            z = keras.random.normal((self.batch, self.latent), seed=self.seed_generator)
            gen_vars = self.generator.trainable_variables
            g_loss = self.objectives.generator(self.critic(self.generator(z, training=True), training=True))
            grads = torch.autograd.grad(g_loss, [v.value for v in gen_vars])
            with torch.no_grad():
                self.g_optimizer.apply(grads, gen_vars)
            return {"critic_loss": c_loss.detach(), "generator_loss": g_loss.detach()}

        # TensorFlow: stateful, one GradientTape per update, traced by fit's tf.function.
        def _tf_train_step(self, data):
            import tensorflow as tf

            reals = keras.utils.unpack_x_y_sample_weight(data)[0]
            critic_vars = self.critic.trainable_variables
            for i in range(self.n_critic):
                real = reals[i * self.batch:(i + 1) * self.batch]
                z = keras.random.normal((self.batch, self.latent), seed=self.seed_generator)
                fake = self.generator(z, training=True)
                alpha = keras.random.uniform(self.alpha_shape, seed=self.seed_generator)
                with tf.GradientTape() as tape:
                    c_loss = self.objectives.critic(self.critic, real, fake, alpha)
                grads = tape.gradient(c_loss, critic_vars)
                self.c_optimizer.apply_gradients(zip(grads, critic_vars))
                if self.objectives.constraint is not None:
                    self.objectives.constraint(self.critic)
            z = keras.random.normal((self.batch, self.latent), seed=self.seed_generator)
            gen_vars = self.generator.trainable_variables
            with tf.GradientTape() as tape:
                scores = self.critic(self.generator(z, training=True), training=True)
                g_loss = self.objectives.generator(scores)
            grads = tape.gradient(g_loss, gen_vars)
            self.g_optimizer.apply_gradients(zip(grads, gen_vars))
            return {"critic_loss": c_loss, "generator_loss": g_loss}

        # JAX: Keras's JAX trainer jits ``train_step(state, data) -> (logs, state)``, a pure
        # function of the (trainable, non-trainable, optimizer, metrics) variable values.
        def _positions(self):
            if self._layout is None:
                def where(pool, subset):
                    index = {id(v): i for i, v in enumerate(pool)}
                    return [index[id(v)] for v in subset]

                tv, ntv = self.trainable_variables, self.non_trainable_variables
                self._layout = {
                    "g": where(tv, self.generator.trainable_variables),
                    "c": where(tv, self.critic.trainable_variables),
                    "g_nt": where(ntv, self.generator.non_trainable_variables),
                    "c_nt": where(ntv, self.critic.non_trainable_variables),
                    "g_opt": where(ntv, self.g_optimizer.variables),
                    "seed": where(ntv, [self.seed_generator.state])[0],
                }
            return self._layout

        def _jax_train_step(self, state, data):
            import jax

            trainable, non_trainable, c_opt, metrics = state
            at = self._positions()
            g = [trainable[i] for i in at["g"]]
            c = [trainable[i] for i in at["c"]]
            g_nt = [non_trainable[i] for i in at["g_nt"]]
            c_nt = [non_trainable[i] for i in at["c_nt"]]
            g_opt = [non_trainable[i] for i in at["g_opt"]]
            seed = [non_trainable[at["seed"]]]

            def draw(fn, shape):
                mapping = [(self.seed_generator.state, seed[0])]
                with keras.StatelessScope(state_mapping=mapping) as scope:
                    out = fn(shape, seed=self.seed_generator)
                seed[0] = scope.get_current_value(self.seed_generator.state)
                return out

            def critic_loss(c, real, fake, alpha):
                def critic(x):
                    return self.critic.stateless_call(c, c_nt, x, training=True)[0]

                return self.objectives.critic(critic, real, fake, alpha)

            def generator_loss(g, z):
                fake, _ = self.generator.stateless_call(g, g_nt, z, training=True)
                scores, _ = self.critic.stateless_call(c, c_nt, fake, training=True)
                return self.objectives.generator(scores)

            reals = keras.utils.unpack_x_y_sample_weight(data)[0]
            for i in range(self.n_critic):
                real = reals[i * self.batch:(i + 1) * self.batch]
                z = draw(keras.random.normal, (self.batch, self.latent))
                fake, g_nt = self.generator.stateless_call(g, g_nt, z, training=True)
                alpha = draw(keras.random.uniform, self.alpha_shape)
                c_loss, grads = jax.value_and_grad(critic_loss)(c, real, fake, alpha)
                c, c_opt = self.optimizer.stateless_apply(c_opt, grads, c)
                if self.objectives.constraint is not None:  # in-place clipping, run statelessly
                    variables = self.critic.trainable_variables
                    with keras.StatelessScope(state_mapping=list(zip(variables, c))) as scope:
                        self.objectives.constraint(self.critic)
                    c = [scope.get_current_value(v) for v in variables]
            z = draw(keras.random.normal, (self.batch, self.latent))
            g_loss, grads = jax.value_and_grad(generator_loss)(g, z)
            g, g_opt = self.g_optimizer.stateless_apply(g_opt, grads, g)

            trainable, non_trainable = list(trainable), list(non_trainable)
            for positions, values in ((at["g"], g), (at["c"], c)):
                for i, value in zip(positions, values):
                    trainable[i] = value
            for positions, values in ((at["g_nt"], g_nt), (at["c_nt"], c_nt), (at["g_opt"], g_opt)):
                for i, value in zip(positions, values):
                    non_trainable[i] = value
            non_trainable[at["seed"]] = seed[0]
            logs = {"critic_loss": c_loss, "generator_loss": g_loss}
            return logs, (trainable, non_trainable, c_opt, metrics)

    _FIT_MODEL = FitWGAN
    return FitWGAN

