#pragma once
// An owning pointer that copies what it points to when it is copied: for a member that is
// optional or rebuilt with a new shape at restart (a sparse chain), in a System whose copy
// assignment must copy the whole state (System::clone_of). A unique_ptr would refuse to copy
// and a shared_ptr would let a clone and its original write the same object.
#include <memory>
#include <utility>

namespace obs {

template <class T>
class DeepCopyPtr {
 public:
  DeepCopyPtr() = default;
  DeepCopyPtr(std::unique_ptr<T> p) : p_(std::move(p)) {}  // NOLINT: takes ownership as unique_ptr does
  DeepCopyPtr(const DeepCopyPtr& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  DeepCopyPtr(DeepCopyPtr&&) noexcept = default;
  DeepCopyPtr& operator=(const DeepCopyPtr& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  DeepCopyPtr& operator=(DeepCopyPtr&&) noexcept = default;
  DeepCopyPtr& operator=(std::unique_ptr<T> p) {
    p_ = std::move(p);
    return *this;
  }

  T* get() const { return p_.get(); }
  T& operator*() const { return *p_; }
  T* operator->() const { return p_.get(); }
  explicit operator bool() const { return static_cast<bool>(p_); }
  void reset() { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace obs
