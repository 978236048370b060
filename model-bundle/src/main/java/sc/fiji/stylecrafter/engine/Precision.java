package sc.fiji.stylecrafter.engine;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import ai.djl.ndarray.types.DataType;

import sc.fiji.stylecrafter.nn.Kernels;

/**
 * Compute precision of the networks. float32 is the reference. float16 (for a GPU) holds every network in float16.
 * bfloat16 (CPU only) keeps float32 tensors everywhere and computes the UNet's convolutions and linear layers in
 * bfloat16 inside libtorch ({@code nn.Bfloat16}): DJL 0.36 cannot hold bfloat16 tensors itself.
 *
 * <p>What stays float32 whatever the precision (diffusers' {@code _keep_in_fp32_modules}) is declared here, by
 * {@link #of(Part)}, and nowhere else:
 * <ul>
 * <li>under bfloat16, every part but the UNet (the text and image encoders, the adapter and the VAE: in bfloat16 the
 * VAE decoded a 512x512 image no faster, 9.8 s against 9.5 s), and attention everywhere (measured no faster);</li>
 * <li>under every precision, inside a layer: the group norms' statistics ({@code nn.GroupNorm}, as LVDM's
 * {@code GroupNorm32} and torch's own kernel do); the sampler's latents and noise (the pipeline casts at one boundary);
 * the CLIP scorer.</li>
 * </ul>
 */
public enum Precision {
	FLOAT32(DataType.FLOAT32), FLOAT16(DataType.FLOAT16), BFLOAT16(DataType.FLOAT32);

	/** The parts of the model, for the precision each computes in. */
	public enum Part {
		TEXT_ENCODER, IMAGE_ENCODER, ADAPTER, UNET, VAE
	}

	/** How one part computes: the dtype of its tensors and the kernels of its products. */
	public record Compute(DataType dtype, Kernels kernels) {}

	/** The labels (compile-time constants, for Fiji's parameter annotations); {@link #label()} gives the same. */
	public static final String FLOAT32_LABEL = "float32";
	public static final String FLOAT16_LABEL = "float16";
	public static final String BFLOAT16_LABEL = "bfloat16";
	/** The reference precision, the default everywhere. */
	public static final String DEFAULT_LABEL = FLOAT32_LABEL;

	/** The parts whose products run in bfloat16 under {@link #BFLOAT16}; the others are float32 islands. */
	private static final Set<Part> BFLOAT16_PARTS = EnumSet.of(Part.UNET);

	private final DataType type;

	Precision(DataType type) {
		this.type = type;
	}

	/** The dtype of the tensors DJL sees (weights and activations of the reduced-precision parts). */
	public DataType dataType() {
		return type;
	}

	/** How {@code part} computes under this precision. */
	public Compute of(Part part) {
		boolean bfloat16 = this == BFLOAT16 && BFLOAT16_PARTS.contains(part);
		return new Compute(type, bfloat16 ? Kernels.BFLOAT16 : Kernels.STANDARD);
	}

	/** Whether some part computes its products in bfloat16 ({@code nn.Bfloat16}). */
	public boolean bfloat16Products() {
		for (Part p : Part.values()) if (of(p).kernels() == Kernels.BFLOAT16) return true;
		return false;
	}

	public String label() {
		return name().toLowerCase(Locale.ROOT); // equal to the *_LABEL constants (PrecisionTest)
	}

	public static Precision parse(String s) {
		for (Precision p : values()) if (p.label().equals(s.toLowerCase(Locale.ROOT))) return p;
		throw new IllegalArgumentException("precision '" + s + "' is not known; allowed: float32, float16, bfloat16");
	}
}
