/*
 * runtime_object.c: network objects in the area (an image plus its initial
 * state), copied in from a value, copied from a template, refcounted.
 */
#include "postgres.h"

#include "network.h"
#include "snn.h"
#include "runtime.h"
#include "runtime_ops.h"

#define RT_IMAGE_BODY	8		/* SNN_NETWORK_HDRSZ: the image starts this
								 * far into the varlena */

StaticAssertDecl(RT_IMAGE_BODY == SNN_NETWORK_HDRSZ, "image offset in an snn value");

/* Bytes to allocate for an image of image_len and a state of state_size. */
static Size
rt_object_size(Size image_len, Size state_size)
{
	return MAXALIGN(sizeof(RtObject)) + 64 + MAXALIGN(image_len) + 64 + state_size;
}

/*
 * Place the varlena so that the image behind it is 64-byte aligned (segments
 * are mapped page-aligned, so the alignment is the same in every process)
 * and the state after it, 64-byte aligned too.
 */
static void
rt_object_layout(RtObject *obj, Size image_len, Size state_size)
{
	uintptr_t	base = (uintptr_t) obj;
	uintptr_t	body = TYPEALIGN(64, base + MAXALIGN(sizeof(RtObject)) + RT_IMAGE_BODY);

	obj->image_off = body - RT_IMAGE_BODY - base;
	obj->image_len = image_len;
	obj->state_off = TYPEALIGN(64, base + obj->image_off + image_len) - base;
	obj->state_size = state_size;
	Assert(obj->state_off + state_size <= obj->alloc_size);
}

/* The object behind a pointer into the area. */
RtObject *
rt_object(dsa_pointer dp)
{
	return (RtObject *) dsa_get_address(rt_area(), dp);
}

/* The `snn` varlena of an object, usable in place as a Datum. */
struct varlena *
rt_object_image(RtObject *obj)
{
	return (struct varlena *) ((char *) obj + obj->image_off);
}

/* Allocate an object for an image and state; refs = 1. */
static dsa_pointer
rt_object_alloc(Size image_len, Size state_size, RtMemCat cat, int slot, RtObject **out)
{
	Size		size = rt_object_size(image_len, state_size);
	dsa_pointer dp = rt_alloc(size, cat, slot);
	RtObject   *obj;

	*out = NULL;
	if (!DsaPointerIsValid(dp))
		return dp;
	obj = rt_object(dp);
	pg_atomic_init_u32(&obj->refs, 1);
	obj->category = cat;
	obj->alloc_size = size;
	obj->serial = pg_atomic_fetch_add_u64(&rt_control->next_serial, 1);
	rt_object_layout(obj, image_len, state_size);
	*out = obj;
	return dp;
}

/*
 * Copy a checked, detoasted network value into a new object and initialise
 * its state.  Nothing is left behind when the allocation fails.
 */
dsa_pointer
rt_object_from_value(const struct varlena *value, RtMemCat cat, int slot)
{
	Size		state_size = rt_ops_check_image(value);
	RtObject   *obj;
	dsa_pointer dp = rt_object_alloc(VARSIZE(value), state_size, cat, slot, &obj);

	if (!DsaPointerIsValid(dp))
		return dp;
	memcpy(rt_object_image(obj), value, VARSIZE(value));
	if (state_size > 0)
		rt_ops_init_state(value, (char *) obj + obj->state_off, state_size);
	return dp;
}

/* A fresh copy of an object (a template's image and initialised state);
 * InvalidDsaPointer when slot < 0 and there is no room. */
dsa_pointer
rt_object_copy(dsa_pointer src, RtMemCat cat, int slot)
{
	RtObject   *from = rt_object(src);
	Size		image_len = from->image_len;
	Size		state_size = from->state_size;
	RtObject   *obj;
	dsa_pointer dp = rt_object_alloc(image_len, state_size, cat, slot, &obj);

	if (!DsaPointerIsValid(dp))
		return dp;				/* slot < 0: no room, no wait */
	from = rt_object(src);		/* the allocation may have mapped a segment */
	memcpy(rt_object_image(obj), rt_object_image(from), image_len);
	memcpy((char *) obj + obj->state_off, (char *) from + from->state_off, state_size);
	return dp;
}

/* Take one more reference (caller holds a reference or the entry's lock). */
void
rt_object_ref(dsa_pointer dp)
{
	pg_atomic_fetch_add_u32(&rt_object(dp)->refs, 1);
}

/* Drop a reference; the last one frees the object and wakes waiters. */
void
rt_object_unref(dsa_pointer dp)
{
	RtObject   *obj = rt_object(dp);

	if (pg_atomic_fetch_sub_u32(&obj->refs, 1) == 1)
	{
		rt_account((RtMemCat) obj->category, -(int64) obj->alloc_size);
		dsa_free(rt_area(), dp);
		rt_wake_waiters();
	}
}

/* Move an object's bytes to another category (pool -> networks ...). */
void
rt_object_recategorize(dsa_pointer dp, RtMemCat to)
{
	RtObject   *obj = rt_object(dp);

	if (obj->category == to)
		return;
	rt_account((RtMemCat) obj->category, -(int64) obj->alloc_size);
	rt_account(to, obj->alloc_size);
	obj->category = to;
}
