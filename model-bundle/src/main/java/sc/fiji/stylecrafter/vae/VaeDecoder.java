package sc.fiji.stylecrafter.vae;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Activations;
import sc.fiji.stylecrafter.nn.Conv2d;
import sc.fiji.stylecrafter.nn.GroupNorm;
import sc.fiji.stylecrafter.nn.NativeMemory;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * Ports the decoding half of {@code AutoencoderKL} ({@code post_quant_conv}, then {@code Decoder} of
 * lvdm/modules/networks/ae_modules.py: {@code conv_in}, middle ResnetBlock/AttnBlock/ResnetBlock, up levels from the
 * deepest, {@code norm_out}, swish, {@code conv_out}) and {@code decode_first_stage}'s video handling (PITFALLS 22):
 * divide by the scale factor, then decode frame by frame. Weights: {@code first_stage_model.*} without the prefix.
 */
public final class VaeDecoder {

	private final VaeConfig config;
	private final Conv2d postQuantConv;
	private final Conv2d convIn;
	private final ResnetBlock midBlock1;
	private final AttnBlock midAttn;
	private final ResnetBlock midBlock2;
	/** up[level] blocks, run from the deepest level up. */
	private final List<List<ResnetBlock>> upBlocks = new ArrayList<>();
	private final List<Conv2d> upsample = new ArrayList<>();
	private final GroupNorm normOut;
	private final Conv2d convOut;

	public VaeDecoder(Weights w, VaeConfig c) {
		this.config = c;
		int levels = c.chMult().size();
		long blockIn = (long) c.ch() * c.chMult().get(levels - 1);
		postQuantConv = new Conv2d(w.sub("post_quant_conv"), c.zChannels(), c.zChannels(), 1, 1, 0);
		Weights d = w.sub("decoder");
		convIn = new Conv2d(d.sub("conv_in"), c.zChannels(), blockIn, 3, 1, 1);
		midBlock1 = new ResnetBlock(d.sub("mid.block_1"), blockIn, blockIn);
		midAttn = new AttnBlock(d.sub("mid.attn_1"), blockIn);
		midBlock2 = new ResnetBlock(d.sub("mid.block_2"), blockIn, blockIn);
		for (int level = 0; level < levels; level++) {
			upBlocks.add(null);
			upsample.add(null);
		}
		for (int level = levels - 1; level >= 0; level--) {
			long blockOut = (long) c.ch() * c.chMult().get(level);
			List<ResnetBlock> blocks = new ArrayList<>();
			for (int i = 0; i <= c.numResBlocks(); i++) {
				blocks.add(new ResnetBlock(d.sub("up").sub(level).sub("block").sub(i), blockIn, blockOut));
				blockIn = blockOut;
			}
			upBlocks.set(level, blocks);
			if (level != 0) upsample.set(level, new Conv2d(d.sub("up").sub(level).sub("upsample.conv"), blockIn, blockIn, 3, 1, 1));
		}
		normOut = new GroupNorm(d.sub("norm_out"), 32, blockIn, 1e-6f);
		convOut = new Conv2d(d.sub("conv_out"), blockIn, c.outCh(), 3, 1, 1);
	}

	public VaeConfig config() {
		return config;
	}

	/**
	 * Decodes one batch of 2-d latents {@code [N, z, h, w]} (already divided by the scale factor). Each block's output
	 * is freed once the next block has run: only the result stays on {@code z}'s manager.
	 */
	public NDArray decodeFrames(NDArray z) {
		try (Scope scope = new Scope()) {
			NDArray h = convIn.forward(postQuantConv.forward(z));
			h = Scope.replace(h, midBlock1.forward(h));
			h = Scope.replace(h, midAttn.forward(h));
			h = Scope.replace(h, midBlock2.forward(h));
			for (int level = config.chMult().size() - 1; level >= 0; level--) {
				for (ResnetBlock b : upBlocks.get(level)) h = Scope.replace(h, b.forward(h));
				if (upsample.get(level) != null) h = Scope.replace(h, upsample.get(level).forwardUpsampled(h));
			}
			return scope.keep(convOut.forward(Activations.silu(normOut.forward(h))));
		}
	}

	/**
	 * Decodes video latents {@code [b, z, t, h, w]} to frames {@code [b, 3, t, H, W]} in model range (about [-1, 1]),
	 * one frame at a time.
	 */
	public NDArray decode(NDArray latents) {
		return decode(latents, frame -> {});
	}

	/**
	 * As {@link #decode(NDArray)}, telling {@code afterFrame} the number of frames decoded so far after each one (it
	 * may throw to stop; what was decoded is then freed).
	 */
	public NDArray decode(NDArray latents, IntConsumer afterFrame) {
		Shape s = latents.getShape();
		NDArray z = latents.div(config.scaleFactor());
		NDList frames = new NDList();
		try {
			for (long b = 0; b < s.get(0); b++) {
				for (long t = 0; t < s.get(2); t++) {
					NDArray frame = z.get(new NDIndex("{}:{}, :, {}", b, b + 1, t)); // [1, z, h, w]
					frames.add(decodeFrames(frame));
					frame.close();
					NativeMemory.trim(); // a frame's activations are gigabytes at full size
					afterFrame.accept(frames.size());
				}
			}
			NDArray all = NDArrays.concat(frames, 0); // [(b t), 3, H, W]
			Shape f = all.getShape();
			return all.reshape(s.get(0), s.get(2), f.get(1), f.get(2), f.get(3)).transpose(0, 2, 1, 3, 4);
		}
		finally {
			frames.close();
			z.close();
		}
	}
}
