package sc.fiji.stylecrafter.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * How a layer computes its products: {@link #STANDARD}, libtorch's operators in the tensors' own type (float32, or
 * float16 on a GPU) with the float32 routes that checked right; or {@link #BFLOAT16}, weights packed to bfloat16 and
 * products in bfloat16 where that checked right. A layer takes its kernels from its {@link Weights} and holds the
 * {@link Product} they make from its weight; it never asks which kind it has. Which parts of a model get which kernels
 * is decided in one place, {@code engine.Precision}.
 */
public interface Kernels {

	Kernels STANDARD = new StandardKernels();
	Kernels BFLOAT16 = new Bfloat16Kernels();

	/** A layer's product made from its weight and bias: input in, output of the given shape out. */
	@FunctionalInterface
	interface Product {

		/**
		 * @param x the activations, in the tensors' type (float32 under bfloat16 products)
		 * @param out the output's shape, which the layer knows
		 */
		NDArray apply(NDArray x, Shape out);
	}

	/** {@code torch.nn.Linear}'s product over weight {@code [out, in]} and bias {@code [out]} (or {@code null}); takes both over. */
	Product linear(NDArray weight, NDArray bias);

	/** {@code torch.nn.Conv2d}'s product (square kernel, one group, no dilation); takes weight and bias over. */
	Product convolution(NDArray weight, NDArray bias, int stride, int padding);

	/** The kernels in words, for a record: {@code standard}, {@code bfloat16 products}. */
	String label();
}
