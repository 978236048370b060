package sc.fiji.stylecrafter.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Ports {@code timestep_embedding} (lvdm/models/utils_diffusion.py): {@code [cos(t f), sin(t f)]} with
 * {@code f_i = exp(-ln(10000) * i / half)}, computed in float32 in the official order of operations.
 */
public final class TimestepEmbedding {

	private TimestepEmbedding() {}

	public static float[] embed(float[] timesteps, int dim) {
		int half = dim / 2;
		float[] freqs = new float[half];
		float negLog = (float) -Math.log(10000);
		for (int i = 0; i < half; i++) freqs[i] = (float) Math.exp(negLog * (float) i / half);
		float[] out = new float[timesteps.length * dim];
		for (int b = 0; b < timesteps.length; b++) {
			for (int i = 0; i < half; i++) {
				float arg = timesteps[b] * freqs[i];
				out[b * dim + i] = (float) Math.cos(arg);
				out[b * dim + half + i] = (float) Math.sin(arg);
			}
		}
		return out; // an odd dim would leave the last column zero, as the official code pads
	}

	/** {@code [B, dim]} on {@code scope}. */
	public static NDArray embed(float[] timesteps, int dim, NDManager scope) {
		return scope.create(embed(timesteps, dim), new Shape(timesteps.length, dim));
	}
}
