package sc.fiji.stylecrafter.clip;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

import sc.fiji.stylecrafter.nn.LayerNorm;
import sc.fiji.stylecrafter.nn.ResidualAttentionBlock;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports the style path of {@code FrozenOpenCLIPImageEmbedder.encode_with_vision_transformer} with
 * {@code only_cls=False, use_proj=False} (PITFALLS 8-9): patch convolution, class token, positional embedding,
 * {@code ln_pre}, transformer; {@code ln_post} on the class token only; the 256 patch tokens as they are; the result
 * rounded to float16 as the official {@code .half()} does. Weights are OpenCLIP's {@code visual.*} keys without the
 * prefix. The preprocessing to the 224 input is {@link sc.fiji.stylecrafter.image.StylePreprocessor}.
 */
public final class ClipVisionEncoder {

	private final ClipVisionConfig config;
	private final NDArray conv1;
	private final NDArray classEmbedding;
	private final NDArray positionalEmbedding;
	private final LayerNorm lnPre;
	private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
	private final LayerNorm lnPost;

	public ClipVisionEncoder(Weights w, ClipVisionConfig config) {
		this.config = config;
		int width = config.width(), p = config.patchSize();
		conv1 = w.get("conv1.weight", width, 3, p, p);
		classEmbedding = w.get("class_embedding", width);
		positionalEmbedding = w.get("positional_embedding", config.tokens(), width);
		lnPre = new LayerNorm(w.sub("ln_pre"), width);
		for (int i = 0; i < config.layers(); i++) blocks.add(new ResidualAttentionBlock(w.sub("transformer.resblocks").sub(i), width, config.heads()));
		lnPost = new LayerNorm(w.sub("ln_post"), width);
	}

	public ClipVisionConfig config() {
		return config;
	}

	/**
	 * @param x preprocessed images {@code [B, 3, size, size]} on the caller's scope
	 * @return style tokens {@code [B, tokens, width]}, float16-rounded, in the model dtype, on the same scope
	 */
	public NDArray encode(NDArray x) {
		x = transformer(x);
		NDArray pooled = lnPost.forward(x.get(new NDIndex(":, 0:1, :"))); // [B, 1, W]
		NDArray out = NDArrays.concat(new NDList(pooled, x.get(new NDIndex(":, 1:, :"))), 1); // [B, T, W]
		return out.toType(DataType.FLOAT16, false).toType(x.getDataType(), false); // .half()
	}

	/**
	 * OpenCLIP's pooled image feature before the projection: {@code ln_post} of the class token, in full precision.
	 *
	 * @return {@code [B, width]} on the caller's scope
	 */
	public NDArray pooled(NDArray x) {
		return lnPost.forward(transformer(x).get(new NDIndex(":, 0, :")));
	}

	private NDArray transformer(NDArray x) {
		NDManager scope = x.getManager();
		long b = x.getShape().get(0);
		int width = config.width(), p = config.patchSize();
		x = Conv2d.conv2d(x, conv1, null, new Shape(p, p), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow(); // [B, W, g, g]
		x = x.reshape(b, width, -1).transpose(0, 2, 1); // [B, g*g, W]
		NDArray cls = scope.zeros(new Shape(b, 1, width), x.getDataType(), x.getDevice()).add(classEmbedding); // [B, 1, W]
		x = NDArrays.concat(new NDList(cls, x), 1).add(positionalEmbedding); // [B, T, W]
		x = lnPre.forward(x);
		for (ResidualAttentionBlock blk : blocks) x = blk.forward(x, null);
		return x;
	}
}
