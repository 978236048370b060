package sc.fiji.stylecrafter.io;


/**
 * Element types a checkpoint tensor may have, with their names in PyTorch ({@code float32}), in a pickled
 * {@code torch.save} file ({@code FloatStorage}) and in safetensors ({@code F32}).
 */
public enum TensorDType {
	FLOAT32("float32", "FloatStorage", "F32", 4),
	FLOAT16("float16", "HalfStorage", "F16", 2),
	BFLOAT16("bfloat16", "BFloat16Storage", "BF16", 2),
	FLOAT64("float64", "DoubleStorage", "F64", 8),
	INT64("int64", "LongStorage", "I64", 8),
	INT32("int32", "IntStorage", "I32", 4),
	INT16("int16", "ShortStorage", "I16", 2),
	INT8("int8", "CharStorage", "I8", 1),
	UINT8("uint8", "ByteStorage", "U8", 1),
	BOOL("bool", "BoolStorage", "BOOL", 1);

	private final String torchName;
	private final String storageClass;
	private final String safetensorsName;
	private final int bytes;

	TensorDType(String torchName, String storageClass, String safetensorsName, int bytes) {
		this.torchName = torchName;
		this.storageClass = storageClass;
		this.safetensorsName = safetensorsName;
		this.bytes = bytes;
	}

	/** The name PyTorch prints ({@code torch.float32} without the module). */
	public String torchName() {
		return torchName;
	}

	/** The safetensors header name ({@code F32}, {@code BF16}, ...). */
	public String safetensorsName() {
		return safetensorsName;
	}

	/** Size of one element in bytes. */
	public int bytes() {
		return bytes;
	}

	public boolean isFloating() {
		return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16 || this == FLOAT64;
	}

	/** The dtype of a {@code torch.<Name>Storage} class name, or {@code null} if there is none. */
	public static TensorDType fromStorageClass(String className) {
		for (TensorDType t : values()) {
			if (t.storageClass.equals(className)) return t;
		}
		return null;
	}

	/** The dtype of a safetensors header name, or {@code null} if there is none. */
	public static TensorDType fromSafetensorsName(String name) {
		for (TensorDType t : values()) {
			if (t.safetensorsName.equals(name)) return t;
		}
		return null;
	}

}
